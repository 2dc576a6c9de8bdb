// Package gongkai is the domain of 校务公开, the disclosure system every Chinese
// school keeps: schools publish their affairs (finances, fees, procurement, aid
// rosters, awards, evaluations, major decisions) after a fixed procedure, for a
// publicity period in which anyone may object.
//
// A clerk drafts a Disclosure on the registration form; leaders review it, the
// principal signs it off, the supervision group checks it, and the clerk
// publishes it. The rules of that procedure — which role may take which step in
// which state, who may read an item of a given audience, when a period ends in
// Chinese working days — are pure functions in this package.
//
// Everything with I/O (storage, HTTP, mail, search) lives under internal/ and
// depends on this package, never the other way round.
package gongkai
