package web

// englishMembers translates the texts of members.go and its templates.
var englishMembers = map[string]string{}
