package api

import "net/http"

type route struct {
	method, path string
	// role, when set, lists the roles allowed besides admin ("clerk,official").
	role    string
	handler http.HandlerFunc
}

// routes is every route of the service.
func (s *Server) routes() []route {
	const readers = "clerk,official,system"
	return []route{
		{"GET", "/healthz", "", s.health},
		{"GET", "/api/v1/openapi.yaml", "", s.openAPI},
		{"POST", "/api/v1/documents", "clerk", s.uploadDocument},
		{"GET", "/api/v1/documents", readers, s.listDocuments},
		{"GET", "/api/v1/documents/{id}", readers, s.getDocument},
		{"DELETE", "/api/v1/documents/{id}", "admin", s.deleteDocument},
		{"GET", "/api/v1/documents/{id}/text", readers, s.documentText},
		{"GET", "/api/v1/documents/{id}/pages/{n}/image", readers, s.pageImage},
		{"GET", "/api/v1/documents/{id}/pages/{n}/text", readers, s.pageText},
		{"GET", "/api/v1/search", readers, s.search},
		{"POST", "/api/v1/tokens", "admin", s.createToken},
	}
}
