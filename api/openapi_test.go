package api

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestOpenAPI: the description passes a real OpenAPI validator, and says
// what the routes are: every route and method described, none described
// that is not served, each with an operationId and the errors it answers.
func TestOpenAPI(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPI)
	if err != nil {
		t.Fatalf("load api/openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("api/openapi.yaml is not valid OpenAPI: %v", err)
	}
	served := map[string]route{}
	for _, rt := range (&Server{}).routes() {
		served[rt.method+" "+rt.path] = rt
	}
	described := map[string]bool{}
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			described[key] = true
			rt, ok := served[key]
			if !ok {
				t.Errorf("%s is described but not served", key)
				continue
			}
			if op.OperationID == "" {
				t.Errorf("%s has no operationId", key)
			} else if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s and %s share operationId %s", key, other, op.OperationID)
			}
			ids[op.OperationID] = key
			var codes []string
			for code := range op.Responses.Map() {
				codes = append(codes, code)
			}
			sort.Strings(codes)
			has := func(code string) bool { return op.Responses.Value(code) != nil }
			if rt.roles != public && !has("401") {
				t.Errorf("%s needs a token but does not say it answers 401 (it says %v)", key, codes)
			}
			if rt.roles != public && rt.roles != anyone && !has("403") {
				t.Errorf("%s is for some roles only but does not say it answers 403 (it says %v)", key, codes)
			}
			if strings.Contains(path, "{") && !has("404") {
				t.Errorf("%s names a resource but does not say it answers 404 (it says %v)", key, codes)
			}
			if (method == "POST" || method == "PATCH") && op.RequestBody != nil && !has("400") {
				t.Errorf("%s takes a body but does not say it answers 400 (it says %v)", key, codes)
			}
			if public := op.Security != nil && len(*op.Security) == 0; public != (rt.roles == "-") {
				t.Errorf("%s: described as public %v, served as public %v", key, public, rt.roles == "-")
			}
		}
	}
	for key := range served {
		if !described[key] {
			t.Errorf("%s is served but not described", key)
		}
	}
}
