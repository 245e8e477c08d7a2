package api

import "net/http"

type route struct {
	method, path string
	// roles lists the roles allowed besides admin ("clerk,official"), or is
	// anyone (any signed-in caller) or public (no sign-in).
	roles   string
	handler http.HandlerFunc
}

const (
	anyone = "*"
	public = "-"
	// readers read records within their reach (the services check the reach).
	readers = "clerk,official"
)

// routes is every route of the service.
func (s *Server) routes() []route {
	return []route{
		{"GET", "/healthz", public, s.health},
		{"POST", "/api/v1/login", public, s.login},
		{"POST", "/api/v1/logout", anyone, s.logout},
		{"GET", "/api/v1/me", anyone, s.me},
		{"GET", "/api/v1/openapi.yaml", public, s.openAPI},

		{"POST", "/api/v1/documents", "clerk", s.uploadDocument},
		{"GET", "/api/v1/documents", readers, s.listDocuments},
		{"GET", "/api/v1/documents/{id}", readers, s.getDocument},
		{"PATCH", "/api/v1/documents/{id}", "clerk", s.patchDocument},
		{"POST", "/api/v1/documents/{id}/accept", "clerk", s.acceptProposed},
		{"PATCH", "/api/v1/documents/{id}/entries/{row}", "clerk", s.patchEntry},
		{"DELETE", "/api/v1/documents/{id}", "admin", s.deleteDocument},
		{"GET", "/api/v1/documents/{id}/history", readers, s.documentHistory},
		{"GET", "/api/v1/documents/{id}/text", readers, s.documentText},
		{"GET", "/api/v1/documents/{id}/pages/{n}/image", readers, s.pageImage},
		{"GET", "/api/v1/documents/{id}/pages/{n}/text", readers, s.pageText},
		{"GET", "/api/v1/search", readers, s.search},
		{"GET", "/api/v1/people/{cccd}/documents", readers, s.personDocuments},

		{"GET", "/api/v1/units", anyone, s.listUnits},
		{"POST", "/api/v1/units", "admin", s.createUnit},
		{"GET", "/api/v1/users", "admin", s.listUsers},
		{"POST", "/api/v1/users", "admin", s.createUser},
		{"PATCH", "/api/v1/users/{id}", "admin", s.patchUser},
		{"GET", "/api/v1/tokens", anyone, s.listTokens},
		{"POST", "/api/v1/tokens", anyone, s.createToken},
		{"DELETE", "/api/v1/tokens/{id}", anyone, s.revokeToken},
		{"GET", "/api/v1/audit", "official", s.listAudit},

		{"POST", "/api/v1/documents/{id}/approve", "official", s.approveDocument},
		{"POST", "/api/v1/documents/{id}/revoke", "official", s.revokeDocument},
		{"GET", "/api/v1/documents/{id}/approvals", readers, s.listApprovals},
		{"GET", "/api/v1/documents/{id}/signed.pdf", readers, s.documentSignedPDF},
		{"GET", "/api/v1/documents/{id}/receipt", readers, s.documentReceipt},
		{"GET", "/api/v1/keys", anyone, s.keys},
		{"GET", "/verify/{code}", public, s.verifyPage},
		{"GET", "/api/v1/verified", "system", s.verifiedLookup},
		{"GET", "/api/v1/verified/{id}/signed.pdf", "system", s.verifiedPDF},
		{"GET", "/api/v1/verified/{id}/receipt", "system", s.verifiedReceipt},
		{"GET", "/api/v1/reuse", "official", s.reuseSummary},
		{"GET", "/api/v1/reports/monthly", "official", s.monthlyReport},
		{"POST", "/api/v1/reports/monthly/pdf", "official", s.reportPDF},
	}
}
