package saml

import (
	"bytes"
	"crypto"
	"encoding/xml"
	"errors"
	"fmt"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/crewjam/saml/xmlenc"
	xrv "github.com/mattermost/xml-roundtrip-validator"
)

// Namespaces of SAML 2.0 and XML encryption.
const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsXMLEnc    = "http://www.w3.org/2001/04/xmlenc#"
)

// response is what scimd reads of a SAML response before crewjam verifies
// it: enough to tell an IdP-initiated answer from an SP-initiated one, to
// refuse with a precise reason, and to refuse the shapes that crewjam
// would crash on or that signature wrapping needs. Nothing read here is
// trusted: a response is accepted only once crewjam has verified it and
// the same checks pass on what crewjam returns.
type response struct {
	ID           string
	InResponseTo string
	Destination  string
	Issuer       string
	// Status is the top-level status code; SubStatus the second level,
	// and Message the IdP's StatusMessage, for a failed response.
	Status, SubStatus, Message string
	// Assertion is the one assertion, decrypted when it came encrypted;
	// nil for a failed response.
	Assertion *saml.Assertion
}

// errShape is a response scimd refuses for its shape, before any
// signature is checked.
type errShape struct{ msg string }

func (e *errShape) Error() string { return e.msg }

func shapef(format string, args ...any) error { return &errShape{fmt.Sprintf(format, args...)} }

// inspect reads raw, a SAML response as the IdP posted it (decoded from
// base64). It refuses what is not exactly one Response holding exactly one
// Assertion or EncryptedAssertion, with no other Assertion anywhere in
// the document (an injected or moved assertion is how signature wrapping
// works), and an assertion without Subject, Conditions, or
// SubjectConfirmationData in each SubjectConfirmation. key decrypts an
// EncryptedAssertion.
func inspect(raw []byte, key crypto.Decrypter) (*response, error) {
	// crewjam's guard against XML that encoding/xml would read otherwise
	// than etree (CVE-2020-29509 and kin).
	if err := xrv.Validate(bytes.NewReader(raw)); err != nil {
		return nil, shapef("the response is not well-formed XML")
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return nil, shapef("the response is not XML")
	}
	root := doc.Root()
	if root.Tag != "Response" || root.NamespaceURI() != nsProtocol {
		return nil, shapef("the answer is a %s, not a SAML Response", printable(root.Tag, 40))
	}
	r := &response{
		ID:           root.SelectAttrValue("ID", ""),
		InResponseTo: root.SelectAttrValue("InResponseTo", ""),
		Destination:  root.SelectAttrValue("Destination", ""),
	}
	if iss := child(root, nsAssertion, "Issuer"); iss != nil {
		r.Issuer = iss.Text()
	}
	if st := child(root, nsProtocol, "Status"); st != nil {
		if code := child(st, nsProtocol, "StatusCode"); code != nil {
			r.Status = code.SelectAttrValue("Value", "")
			if sub := child(code, nsProtocol, "StatusCode"); sub != nil {
				r.SubStatus = sub.SelectAttrValue("Value", "")
			}
		}
		if m := child(st, nsProtocol, "StatusMessage"); m != nil {
			r.Message = m.Text()
		}
	}
	if r.Status != saml.StatusSuccess {
		return r, nil
	}
	var found []*etree.Element
	for _, el := range root.FindElements("//*") {
		if (el.Tag == "Assertion" || el.Tag == "EncryptedAssertion") && el.NamespaceURI() == nsAssertion {
			found = append(found, el)
		}
	}
	if len(found) != 1 {
		return nil, shapef("the response holds %d assertions; scimd accepts exactly one", len(found))
	}
	el := found[0]
	if el.Parent() != root {
		return nil, shapef("the response's assertion is not where SAML puts it (a child of the Response)")
	}
	if el.Tag == "EncryptedAssertion" {
		plain, err := decrypt(el, key)
		if err != nil {
			return nil, shapef("the encrypted assertion does not decrypt with this connection's key (%s)", oneLine(err.Error()))
		}
		el = plain
		for _, inner := range el.FindElements(".//*") {
			if inner.Tag == "Assertion" || inner.Tag == "EncryptedAssertion" {
				return nil, shapef("the encrypted assertion holds another assertion")
			}
		}
		if el.Tag != "Assertion" || el.NamespaceURI() != nsAssertion {
			return nil, shapef("the encrypted assertion is not an Assertion")
		}
	}
	var a saml.Assertion
	if err := unmarshal(el, &a); err != nil {
		return nil, shapef("the assertion can't be read (%s)", oneLine(err.Error()))
	}
	// crewjam reads these without looking: a signed assertion without
	// them would crash it.
	switch {
	case a.Subject == nil:
		return nil, shapef("the assertion has no Subject, so it says nobody signed in")
	case a.Conditions == nil:
		return nil, shapef("the assertion has no Conditions, so it does not say for whom or until when it holds")
	}
	for _, sc := range a.Subject.SubjectConfirmations {
		if sc.SubjectConfirmationData == nil {
			return nil, shapef("the assertion's SubjectConfirmation has no SubjectConfirmationData (recipient, expiry)")
		}
	}
	r.Assertion = &a
	return r, nil
}

// child is el's only child named ns:tag, or nil.
func child(el *etree.Element, ns, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			return c
		}
	}
	return nil
}

// decrypt opens an EncryptedAssertion (XML Encryption 1.0) with key, as
// crewjam does: the content key wrapped in an EncryptedKey next to the
// EncryptedData or inside its KeyInfo.
func decrypt(el *etree.Element, key crypto.Decrypter) (*etree.Element, error) {
	if key == nil {
		return nil, errors.New("no key")
	}
	data := child(el, nsXMLEnc, "EncryptedData")
	if data == nil {
		return nil, errors.New("no EncryptedData")
	}
	var k any = key
	if ek := el.FindElement("./EncryptedKey"); ek != nil {
		var err error
		if k, err = xmlenc.Decrypt(key, ek); err != nil {
			return nil, err
		}
	}
	plain, err := xmlenc.Decrypt(k, data)
	if err != nil {
		return nil, err
	}
	if err := xrv.Validate(bytes.NewReader(plain)); err != nil {
		return nil, errors.New("not well-formed XML")
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(plain); err != nil || doc.Root() == nil {
		return nil, errors.New("not XML")
	}
	return doc.Root(), nil
}

// unmarshal decodes el into v with the namespaces el's ancestors declare,
// as crewjam decodes what it verified.
func unmarshal(el *etree.Element, v any) error {
	ns := map[string]string{}
	for _, e := range append([]*etree.Element{el}, el.FindElements(".//*")...) {
		if e.Space != "" {
			ns[e.Space] = e.NamespaceURI()
		}
		for _, a := range e.Attr {
			if a.Space != "" && a.Space != "xmlns" && a.Space != "xml" {
				ns[a.Space] = a.NamespaceURI()
			}
		}
	}
	c := el.Copy()
	for prefix, uri := range ns {
		if uri != "" && c.SelectAttr("xmlns:"+prefix) == nil {
			c.CreateAttr("xmlns:"+prefix, uri)
		}
	}
	doc := etree.NewDocument()
	doc.SetRoot(c)
	b, err := doc.WriteToBytes()
	if err != nil {
		return err
	}
	return xml.Unmarshal(b, v)
}
