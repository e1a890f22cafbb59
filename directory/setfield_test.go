package directory_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/scimd/scimd/directory"
)

func TestSetField(t *testing.T) {
	tests := []struct {
		name    string
		field   string
		value   any
		want    func(*directory.User) any
		wantVal any
		bad     bool // a ValidationError naming the field
	}{
		{name: "text", field: "title", value: "CEO", want: func(u *directory.User) any { return u.Title }, wantVal: "CEO"},
		{name: "text cleared by null", field: "extension", value: nil, want: func(u *directory.User) any { return u.Extension }, wantVal: ""},
		{name: "name part", field: "name.givenName", value: "Ada", want: func(u *directory.User) any { return u.Name.GivenName }, wantVal: "Ada"},
		{name: "enterprise", field: "department", value: "R&D", want: func(u *directory.User) any { return u.Enterprise.Department }, wantVal: "R&D"},
		{name: "manager", field: "manager", value: "x", want: func(u *directory.User) any { return u.Enterprise.ManagerID }, wantVal: "x"},
		{name: "active", field: "active", value: false, want: func(u *directory.User) any { return u.Active }, wantVal: false},
		{name: "active as text", field: "active", value: "TRUE", want: func(u *directory.User) any { return u.Active }, wantVal: true},
		{name: "role", field: "role", value: "Admin", want: func(u *directory.User) any { return u.Role }, wantVal: directory.RoleAdmin},
		{name: "availability cleared", field: "availability", value: nil, want: func(u *directory.User) any { return u.Availability }, wantVal: directory.Availability("")},
		{name: "custom", field: "custom.tier", value: "gold", want: func(u *directory.User) any { return u.Custom["tier"] }, wantVal: "gold"},
		{name: "custom in another case replaces", field: "custom.Vip", value: true, want: func(u *directory.User) any { return u.Custom }, wantVal: map[string]any{"Vip": true}},
		{name: "custom cleared", field: "custom.VIP", value: "", want: func(u *directory.User) any { return len(u.Custom) }, wantVal: 0},
		{name: "text as number", field: "title", value: 3.0, bad: true},
		{name: "active as maybe", field: "active", value: "maybe", bad: true},
		{name: "role null", field: "role", value: nil, bad: true},
		{name: "custom list", field: "custom.tier", value: []any{"a"}, bad: true},
		{name: "custom bad name", field: "custom.1x", value: "a", bad: true},
		{name: "emails", field: "emails", value: "a@b.c", bad: true},
		{name: "password", field: "password", value: "x", bad: true},
		{name: "break-glass", field: "breakGlass", value: true, bad: true},
		{name: "unknown", field: "shoeSize", value: "x", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := &directory.User{Title: "t", Extension: "1", Active: true, Availability: directory.Busy, Custom: map[string]any{"vip": false}}
			err := directory.SetField(u, tt.field, tt.value)
			if tt.bad {
				ve, ok := errors.AsType[*directory.ValidationError](err)
				if !ok || ve.Field != tt.field || ve.Detail == "" {
					t.Fatalf("err = %v, want a ValidationError on %s", err, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.want(u); !reflect.DeepEqual(got, tt.wantVal) {
				t.Errorf("got %#v, want %#v", got, tt.wantVal)
			}
		})
	}
	if f := directory.SettableFields(); !slices.IsSorted(f) || !slices.Contains(f, "extension") || slices.Contains(f, "emails") {
		t.Errorf("SettableFields = %v", f)
	}
}

func TestFieldValue(t *testing.T) {
	u := &directory.User{Title: "CEO", Active: true, Role: directory.RoleAdmin, Custom: map[string]any{"tier": "gold"},
		Name: directory.Name{GivenName: "Ada"}}
	for field, want := range map[string]any{
		"title": "CEO", "active": true, "role": directory.RoleAdmin, "name.givenName": "Ada",
		"custom.tier": "gold", "custom.none": nil, "extension": "",
	} {
		if got, ok := directory.FieldValue(u, field); !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("FieldValue(%s) = %#v, %v; want %#v", field, got, ok, want)
		}
	}
	if _, ok := directory.FieldValue(u, "shoeSize"); ok {
		t.Error("FieldValue of no field reported one")
	}
}
