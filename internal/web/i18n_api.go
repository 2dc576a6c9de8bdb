package web

// englishApi translates the texts of api.go and its templates.
var englishApi = map[string]string{}
