package filter_test

import (
	"fmt"

	"github.com/scimd/scimd/scim/filter"
)

func ExampleParse() {
	e, err := filter.Parse(`userName Eq "bjensen" and emails[type eq "work"].value co "@example.com"`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e)
	and := e.(filter.And)
	c := and.Left.(filter.Compare)
	fmt.Println(c.Path.Name, c.Op, c.Value.Str)
	vp := and.Right.(filter.ValuePath)
	fmt.Println(vp.Path.Name, "must have one value matching", vp.Filter)
	// Output:
	// userName eq "bjensen" and emails[type eq "work" and value co "@example.com"]
	// userName eq bjensen
	// emails must have one value matching type eq "work" and value co "@example.com"
}

func ExampleParse_error() {
	_, err := filter.Parse(`userName eq bjensen`)
	fmt.Println(err)
	// Output:
	// invalid filter at offset 12: expected a value after "eq" (a string in double quotes, a number, true, false or null), found "bjensen"; text must be in double quotes
}

func ExampleParsePath() {
	p, err := filter.ParsePath(`urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("URN=%s Name=%s Filter=%s Sub=%s\n", p.Attr.URN, p.Attr.Name, p.Filter, p.Sub)
	// Output:
	// URN=urn:ietf:params:scim:schemas:core:2.0:User Name=emails Filter=type eq "work" Sub=value
}
