package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"testing"
)

// TestAPI_responsesMatchTheDocument checks answers against the schemas the
// OpenAPI document gives them: every field the answer has is documented,
// every required one is there, and each value has a documented type. A
// draft saved without a category answers "category": null, and the
// dashboard's fields are all described.
func TestAPI_responsesMatchTheDocument(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		_, raw, _ := h.apiCall(t, "GET", "/api/v1/openapi.json", "", nil)
		var doc map[string]any
		must(t, json.Unmarshal([]byte(raw), &doc))
		responseSchema := func(path, method, status string) any {
			op := resolveRef(doc, "#/paths/"+jsonPointer(path)+"/"+method)
			s := resolveRef(map[string]any{"op": op}, "#/op/responses/"+status+"/content/application~1json/schema")
			if s == nil {
				t.Fatalf("the document has no %s schema for %s %s", status, method, path)
			}
			return s
		}

		clerk := h.apiToken("xq.clerk")
		status, body, _ := h.apiCall(t, "POST", "/api/v1/schools/xq/disclosures", clerk, map[string]any{"title": "尚未选择类别的草稿"})
		if status != http.StatusCreated {
			t.Fatalf("create draft without a category: %d %s", status, body)
		}
		var draft map[string]any
		must(t, json.Unmarshal([]byte(body), &draft))
		if v, ok := draft["category"]; !ok || v != nil {
			t.Fatalf("a draft without a category answers category %#v, want null", v)
		}
		conforms(t, doc, responseSchema("/api/v1/schools/{slug}/disclosures", "post", "201"), draft, "draft")

		status, body, _ = h.apiCall(t, "GET", "/api/v1/dashboard", h.apiToken("bureau.admin"), nil)
		if status != http.StatusOK {
			t.Fatalf("dashboard: %d %s", status, body)
		}
		var dash any
		must(t, json.Unmarshal([]byte(body), &dash))
		conforms(t, doc, responseSchema("/api/v1/dashboard", "get", "200"), dash, "dashboard")
	})
}

func jsonPointer(s string) string {
	out := ""
	for _, r := range s {
		switch r {
		case '~':
			out += "~0"
		case '/':
			out += "~1"
		default:
			out += string(r)
		}
	}
	return out
}

// conforms reports where v departs from schema: the subset of JSON Schema
// the document uses ($ref, allOf, anyOf, type, enum, properties, required,
// items).
func conforms(t *testing.T, doc map[string]any, schema, v any, at string) {
	t.Helper()
	for _, msg := range schemaErrors(doc, schema, v, at) {
		t.Error(msg)
	}
}

func schemaErrors(doc map[string]any, schema, v any, at string) []string {
	s, _ := schema.(map[string]any)
	if ref, ok := s["$ref"].(string); ok {
		return schemaErrors(doc, resolveRef(doc, ref), v, at)
	}
	var errs []string
	if any, ok := s["anyOf"].([]any); ok {
		for _, alt := range any {
			if len(schemaErrors(doc, alt, v, at)) == 0 {
				return nil
			}
		}
		return []string{fmt.Sprintf("%s: %#v matches none of anyOf", at, v)}
	}
	props := map[string]any{}
	var required []any
	parts := []map[string]any{s}
	if all, ok := s["allOf"].([]any); ok {
		for _, p := range all {
			if ref, ok := p.(map[string]any)["$ref"].(string); ok {
				p = resolveRef(doc, ref)
			}
			parts = append(parts, p.(map[string]any))
		}
	}
	for _, p := range parts {
		if ps, ok := p["properties"].(map[string]any); ok {
			for k, sub := range ps {
				props[k] = sub
			}
		}
		if r, ok := p["required"].([]any); ok {
			required = append(required, r...)
		}
	}
	if typ, ok := s["type"]; ok && !typeAllows(typ, v) {
		return []string{fmt.Sprintf("%s: %#v is not of type %v", at, v, typ)}
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, v) {
		errs = append(errs, fmt.Sprintf("%s: %#v is not one of %v", at, v, enum))
	}
	switch x := v.(type) {
	case map[string]any:
		if len(props) == 0 {
			return errs // a free-form object
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub, ok := props[k]
			if !ok {
				errs = append(errs, fmt.Sprintf("%s.%s is not documented", at, k))
				continue
			}
			errs = append(errs, schemaErrors(doc, sub, x[k], at+"."+k)...)
		}
		for _, r := range required {
			if _, ok := x[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s.%s is required but missing", at, r))
			}
		}
	case []any:
		for i, e := range x {
			errs = append(errs, schemaErrors(doc, s["items"], e, fmt.Sprintf("%s[%d]", at, i))...)
		}
	}
	return errs
}

func typeAllows(typ, v any) bool {
	types, ok := typ.([]any)
	if !ok {
		types = []any{typ}
	}
	for _, t := range types {
		switch t {
		case "null":
			if v == nil {
				return true
			}
		case "string":
			if _, ok := v.(string); ok {
				return true
			}
		case "integer":
			if f, ok := v.(float64); ok && f == float64(int64(f)) {
				return true
			}
		case "number":
			if _, ok := v.(float64); ok {
				return true
			}
		case "boolean":
			if _, ok := v.(bool); ok {
				return true
			}
		case "object":
			if _, ok := v.(map[string]any); ok {
				return true
			}
		case "array":
			if _, ok := v.([]any); ok {
				return true
			}
		}
	}
	return false
}
