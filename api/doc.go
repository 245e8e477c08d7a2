// Package api is the HTTP API: every route in one table (routes.go), one
// file per resource, bearer-token authentication, and one table from error
// codes to HTTP statuses. A handler decodes the request, calls one method
// of the services (package records for records, package directory for
// units, users and tokens) and encodes what it returns: no use case is
// decided here. Errors are JSON {"error": {"code", "message", "field",
// "fields"}}; the message is in Vietnamese for the clerk, the code stable
// for programs.
//
// Logs carry the method, the path and the status, never a query string: a
// search for a person's name is personal data.
package api
