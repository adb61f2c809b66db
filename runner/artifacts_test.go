package runner_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"strconv"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// validateResult checks result.json against docs/result-schema.json.
func validateResult(b []byte) error {
	f, err := os.Open("../docs/result-schema.json")
	if err != nil {
		return err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("result-schema.json", doc); err != nil {
		return err
	}
	sch, err := c.Compile("result-schema.json")
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

type junitCase struct {
	Name      string    `xml:"name,attr"`
	Classname string    `xml:"classname,attr"`
	Time      string    `xml:"time,attr"`
	Failure   *struct{} `xml:"failure"`
	Error     *struct{} `xml:"error"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

// validateJUnit checks junit.xml against the part of the JUnit XSD that CI
// systems rely on: testsuites/testsuite/testcase with required attributes,
// decimal times and counts that match the test cases.
func validateJUnit(b []byte) error {
	var root struct {
		XMLName xml.Name
		Suites  []junitSuite `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &root); err != nil {
		return err
	}
	if root.XMLName.Local != "testsuites" || len(root.Suites) == 0 {
		return fmt.Errorf("root %q with %d suites", root.XMLName.Local, len(root.Suites))
	}
	for _, s := range root.Suites {
		if s.Name == "" {
			return fmt.Errorf("testsuite without name")
		}
		if _, err := strconv.ParseFloat(s.Time, 64); err != nil {
			return fmt.Errorf("testsuite %s time %q", s.Name, s.Time)
		}
		fails, errs := 0, 0
		for _, c := range s.Cases {
			if c.Name == "" || c.Classname == "" {
				return fmt.Errorf("testcase without name or classname")
			}
			if _, err := strconv.ParseFloat(c.Time, 64); err != nil {
				return fmt.Errorf("testcase %s time %q", c.Name, c.Time)
			}
			if c.Failure != nil {
				fails++
			}
			if c.Error != nil {
				errs++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != fails || s.Errors != errs {
			return fmt.Errorf("testsuite %s counts %d/%d/%d, cases say %d/%d/%d", s.Name, s.Tests, s.Failures, s.Errors, len(s.Cases), fails, errs)
		}
	}
	return nil
}
