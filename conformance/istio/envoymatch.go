package main

import (
	"fmt"
	"regexp"
	"strings"

	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcher "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

// envoyRequest is the request as Envoy's router sees it: the :path (query string included), the
// pseudo-headers and the other headers by lower-case name.
type envoyRequest struct {
	path, method, authority, scheme string
	headers                         map[string]string
}

func (r envoyRequest) header(name string) (string, bool) {
	switch name {
	case ":path":
		return r.path, true
	case ":method":
		return r.method, true
	case ":authority", "host":
		return r.authority, true
	case ":scheme":
		return r.scheme, true
	}
	v, ok := r.headers[name]
	return v, ok
}

// matchEnvoyRoute returns the index of the first route of the virtual host that matches the request,
// following Envoy's route matching (the route's path specifier, then every header matcher, then
// every query parameter matcher), or -1. pilot/pkg/simulation matches on the path only ("TODO this
// only handles path"); this completes it for the matchers Istio generates from a VirtualService.
// Conditions it cannot evaluate are listed in the second result.
func matchEnvoyRoute(vh *route.VirtualHost, req envoyRequest) (int, []string) {
	var unsupported []string
	for i, r := range vh.GetRoutes() {
		m := r.GetMatch()
		if m == nil {
			continue
		}
		ok, why := matchRoute(m, req)
		if why != "" {
			unsupported = append(unsupported, fmt.Sprintf("route %d (%s): %s", i, r.GetName(), why))
		}
		if ok {
			return i, unsupported
		}
	}
	return -1, unsupported
}

func matchRoute(m *route.RouteMatch, req envoyRequest) (bool, string) {
	caseSensitive := m.GetCaseSensitive() == nil || m.GetCaseSensitive().GetValue()
	pathOnly := req.path
	if q := strings.IndexAny(pathOnly, "?#"); q >= 0 {
		pathOnly = pathOnly[:q]
	}
	fold := func(s string) string {
		if caseSensitive {
			return s
		}
		return strings.ToLower(s)
	}
	var unsupported []string
	switch ps := m.GetPathSpecifier().(type) {
	case *route.RouteMatch_Prefix:
		// Envoy compares a prefix with the whole :path header, query string included.
		if !strings.HasPrefix(fold(req.path), fold(ps.Prefix)) {
			return false, ""
		}
	case *route.RouteMatch_Path:
		if fold(pathOnly) != fold(ps.Path) {
			return false, ""
		}
	case *route.RouteMatch_SafeRegex:
		ok, err := fullMatch(ps.SafeRegex.GetRegex(), pathOnly)
		if err != nil {
			return false, err.Error()
		}
		if !ok {
			return false, ""
		}
	case *route.RouteMatch_PathSeparatedPrefix:
		p := fold(ps.PathSeparatedPrefix)
		if fold(pathOnly) != p && !strings.HasPrefix(fold(pathOnly), p+"/") {
			return false, ""
		}
	default:
		unsupported = append(unsupported, fmt.Sprintf("path specifier %T", ps))
	}
	for _, h := range m.GetHeaders() {
		ok, why := matchHeader(h, req)
		if why != "" {
			unsupported = append(unsupported, why)
		}
		if !ok {
			return false, strings.Join(unsupported, "; ")
		}
	}
	query := parseQuery(req.path)
	for _, q := range m.GetQueryParameters() {
		if !matchQuery(q, query) {
			return false, strings.Join(unsupported, "; ")
		}
	}
	for _, dm := range m.GetDynamicMetadata() {
		// JWT claim routes (@request.auth.claims): the request carries no JWT here, so the
		// metadata is absent and the matcher fails (or passes when inverted).
		unsupported = append(unsupported, "dynamic metadata (JWT claims) evaluated as absent")
		if !dm.GetInvert() {
			return false, strings.Join(unsupported, "; ")
		}
	}
	if m.GetRuntimeFraction() != nil || m.GetGrpc() != nil || m.GetTlsContext() != nil || len(m.GetFilterState()) > 0 {
		unsupported = append(unsupported, "runtime fraction, gRPC, TLS context or filter state matcher ignored")
	}
	return true, strings.Join(unsupported, "; ")
}

// matchHeader follows Envoy's HeaderUtility::matchHeaders: a missing header fails every matcher
// (a present_match: false passes; inverted, only present_match: true passes) unless
// treat_missing_header_as_empty, which matches it as the empty string.
func matchHeader(h *route.HeaderMatcher, req envoyRequest) (bool, string) {
	value, present := req.header(strings.ToLower(h.GetName()))
	isPresent := false
	presentValue := true
	switch s := h.GetHeaderMatchSpecifier().(type) {
	case *route.HeaderMatcher_PresentMatch:
		isPresent, presentValue = true, s.PresentMatch
	case nil:
		isPresent = true
	}
	if !present {
		if !h.GetTreatMissingHeaderAsEmpty() {
			if h.GetInvertMatch() {
				return isPresent && presentValue, ""
			}
			return isPresent && !presentValue, ""
		}
		value = ""
	}
	var match bool
	why := ""
	switch s := h.GetHeaderMatchSpecifier().(type) {
	case *route.HeaderMatcher_ExactMatch:
		match = s.ExactMatch == "" || value == s.ExactMatch
	case *route.HeaderMatcher_SafeRegexMatch:
		ok, err := fullMatch(s.SafeRegexMatch.GetRegex(), value)
		if err != nil {
			why = err.Error()
		}
		match = ok
	case *route.HeaderMatcher_PrefixMatch:
		match = strings.HasPrefix(value, s.PrefixMatch)
	case *route.HeaderMatcher_SuffixMatch:
		match = strings.HasSuffix(value, s.SuffixMatch)
	case *route.HeaderMatcher_ContainsMatch:
		match = strings.Contains(value, s.ContainsMatch)
	case *route.HeaderMatcher_StringMatch:
		ok, err := matchString(s.StringMatch, value)
		if err != nil {
			why = err.Error()
		}
		match = ok
	case *route.HeaderMatcher_PresentMatch:
		match = present == s.PresentMatch
	case nil:
		match = true
	default:
		why = fmt.Sprintf("header matcher %T", s)
	}
	return match != h.GetInvertMatch(), why
}

func matchString(m *matcher.StringMatcher, v string) (bool, error) {
	ic := m.GetIgnoreCase()
	eq := func(a, b string) bool {
		if ic {
			return strings.EqualFold(a, b)
		}
		return a == b
	}
	low := func(s string) string {
		if ic {
			return strings.ToLower(s)
		}
		return s
	}
	switch p := m.GetMatchPattern().(type) {
	case *matcher.StringMatcher_Exact:
		return eq(v, p.Exact), nil
	case *matcher.StringMatcher_Prefix:
		return strings.HasPrefix(low(v), low(p.Prefix)), nil
	case *matcher.StringMatcher_Suffix:
		return strings.HasSuffix(low(v), low(p.Suffix)), nil
	case *matcher.StringMatcher_Contains:
		return strings.Contains(low(v), low(p.Contains)), nil
	case *matcher.StringMatcher_SafeRegex:
		return fullMatch(p.SafeRegex.GetRegex(), v)
	}
	return false, fmt.Errorf("string matcher %T", m.GetMatchPattern())
}

// fullMatch: Envoy's safe_regex (RE2) must match the whole value. Go's regexp is RE2 syntax.
func fullMatch(re, v string) (bool, error) {
	r, err := regexp.Compile(`^(?:` + re + `)$`)
	if err != nil {
		return false, fmt.Errorf("regex %q does not compile: %v", re, err)
	}
	return r.MatchString(v), nil
}

// parseQuery splits the query string into its first value per name, as sent (Envoy's router does
// not percent-decode query parameters before matching).
func parseQuery(path string) map[string]string {
	out := map[string]string{}
	q := strings.Index(path, "?")
	if q < 0 {
		return out
	}
	rest := path[q+1:]
	if h := strings.Index(rest, "#"); h >= 0 {
		rest = rest[:h]
	}
	for _, kv := range strings.Split(rest, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if _, seen := out[k]; !seen {
			out[k] = v
		}
	}
	return out
}

func matchQuery(q *route.QueryParameterMatcher, query map[string]string) bool {
	v, ok := query[q.GetName()]
	switch s := q.GetQueryParameterMatchSpecifier().(type) {
	case *route.QueryParameterMatcher_PresentMatch:
		return ok == s.PresentMatch
	case *route.QueryParameterMatcher_StringMatch:
		if !ok {
			return false
		}
		m, _ := matchString(s.StringMatch, v)
		return m
	}
	return ok
}

// rewrittenPath is the :path Envoy forwards for a request matched by er, whose action is ra: the
// matched prefix (prefix, path_separated_prefix; the whole path for path and safe_regex matches)
// replaced by prefix_rewrite as written, or the path (without the query) rewritten by regex_rewrite,
// the query kept (envoy route_components.proto prefix_rewrite, regex_rewrite). Empty when the route
// rewrites no path.
func rewrittenPath(er *route.Route, ra *route.RouteAction, path string) string {
	bare, query := path, ""
	if i := strings.IndexByte(path, '?'); i >= 0 {
		bare, query = path[:i], path[i:]
	}
	if pr := ra.GetPrefixRewrite(); pr != "" {
		switch ps := er.GetMatch().GetPathSpecifier().(type) {
		case *route.RouteMatch_Prefix:
			return pr + path[len(ps.Prefix):]
		case *route.RouteMatch_PathSeparatedPrefix:
			return pr + path[len(ps.PathSeparatedPrefix):]
		default:
			return pr + query
		}
	}
	if rr := ra.GetRegexRewrite(); rr != nil {
		re, err := regexp.Compile(rr.GetPattern().GetRegex())
		if err != nil {
			return "<bad regex: " + err.Error() + ">"
		}
		// Envoy's substitution names groups \1..\9; Go's ${1}..${9}
		sub := regexp.MustCompile(`\\([0-9])`).ReplaceAllString(rr.GetSubstitution(), `$${$1}`)
		return re.ReplaceAllString(bare, sub) + query
	}
	return ""
}
