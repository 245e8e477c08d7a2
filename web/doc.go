// Package web is the page clerks and officials use, served by sohoa itself
// at /: HTML from html/template, in Vietnamese, with the little JavaScript
// HTML cannot do without (upload progress, live status, the page viewer)
// and htmx, all embedded: no build step, no CDN, nothing fetched from the
// internet. Search, lists and reading work with JavaScript off.
//
// It is an interface like the JSON API: every handler decodes a form or a
// query, calls one method of the services (package records for records,
// package directory for sessions, units and users) and renders what they
// return; the reach, the masking and the audit are theirs.
//
// Sessions are the directory's login sessions, in an HttpOnly, SameSite=Lax
// cookie (Secure behind TLS) that ends after 12 hours, or 30 minutes
// unused; every form carries a CSRF token derived from the session (the
// login form a double-submitted one), and every POST without it is refused.
// Every answer carries a Content-Security-Policy without 'unsafe-inline',
// frame-ancestors 'none', X-Content-Type-Options and Referrer-Policy.
package web
