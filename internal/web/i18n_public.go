package web

// englishPublic translates the texts of public.go and its templates.
var englishPublic = map[string]string{}
