package web

import (
	"net/http"
	"slices"
)

// access is who may call a route; the middleware enforces it before the
// handler runs, and the authorisation matrix test reads it. Finer rules (may
// this reader see this item, may this role take this step) are the domain's.
type access string

const (
	accessOps      access = "ops"       // health, static files (metrics are on their own listener)
	accessPublic   access = "public"    // anyone; items answer 404 when not visible
	accessSignedIn access = "signed_in" // any signed-in user
	accessStaff    access = "staff"     // staff of the school (not parents), or its bureau
	accessWorkflow access = "workflow"  // principal, leader, supervisor, clerk of the school, or its bureau
	accessCreate   access = "create"    // clerk or principal of the school
	accessManage   access = "manage"    // principal of the school, or its bureau's administrator
	accessBureau   access = "bureau"    // a bureau administrator
)

// route is one line of the route table.
type route struct {
	method  string
	pattern string // ServeMux pattern without the method; {slug} marks a school route
	access  access
	api     bool // JSON errors and bearer tokens instead of pages and cookies
	handle  func(w http.ResponseWriter, r *http.Request) error
}

// routes is every route of gongkai. Nothing is served that is not listed here.
// The table is one, read by the authorisation matrix test; it is written in
// parts by area so that each stays on a screen.
func (s *Server) routes() []route {
	return slices.Concat(s.publicRoutes(), s.accountRoutes(), s.procedureRoutes(), s.schoolAdminRoutes(),
		s.bureauRoutes(), s.feedbackRoutes(), s.oversightRoutes(), s.apiRoutes(), s.logRoutes())
}

// publicRoutes are the public side: health, static files, the boards and
// items anyone may read.
func (s *Server) publicRoutes() []route {
	return []route{
		{"GET", "/healthz", accessOps, false, s.handleHealth},
		{"GET", "/static/{hash}/{file}", accessOps, false, s.handleStatic},
		{"GET", "/favicon.ico", accessOps, false, s.handleFavicon},

		// Public pages.
		{"GET", "/{$}", accessPublic, false, s.handleHome},
		{"GET", "/s/{slug}/{$}", accessPublic, false, s.handleBoard},
		{"GET", "/s/{slug}/d/{id}", accessPublic, false, s.handleDisclosure},
		{"GET", "/s/{slug}/d/{id}/v/{version}", accessPublic, false, s.handleDisclosureVersion},
		// The item's verify page (verify.go): who may read the item may check it.
		{"GET", "/s/{slug}/d/{id}/verify", accessPublic, false, s.handleVerify},
		// The printed notice (notice.go): its A4 print view and its PDF,
		// answering whoever may read the item page.
		{"GET", "/s/{slug}/d/{id}/print", accessPublic, false, s.handleNotice},
		{"GET", "/s/{slug}/d/{id}/notice.pdf", accessPublic, false, s.handleNoticePDF},
		{"GET", "/s/{slug}/files/{att}/{name}", accessPublic, false, s.handleAttachment},
		{"GET", "/s/{slug}/d/{id}/postings/{posting}/photo", accessPublic, false, s.handlePostingPhoto},
		{"GET", "/s/{slug}/catalogue", accessPublic, false, s.handleCatalogue},
		{"POST", "/prefs", accessPublic, false, s.handlePrefs},
	}
}

// accountRoutes are signing in, accounts, one-time links, the first start's
// setup, and the admin logs.
func (s *Server) accountRoutes() []route {
	return []route{
		// Accounts.
		{"GET", "/login", accessPublic, false, s.handleLoginForm},
		{"POST", "/login", accessPublic, false, s.handleLogin},
		{"POST", "/logout", accessSignedIn, false, s.handleLogout},
		{"GET", "/join", accessPublic, false, s.handleJoinForm},
		{"POST", "/join", accessPublic, false, s.handleJoin},
		{"GET", "/account", accessSignedIn, false, s.handleAccount},
		{"GET", "/notifications", accessSignedIn, false, s.handleNotifications},
		{"POST", "/account/password", accessSignedIn, false, s.handlePassword},
		{"POST", "/account/sessions", accessSignedIn, false, s.handleEndSessions},
		// One-time links: set a password (new account or reset), join as staff.
		{"GET", "/password/{token}", accessPublic, false, s.handlePasswordLinkForm},
		{"POST", "/password/{token}", accessPublic, false, s.handlePasswordLinkSet},
		{"GET", "/invite/{token}", accessPublic, false, s.handleInviteForm},
		{"POST", "/invite/{token}", accessPublic, false, s.handleInviteAccept},

		// The first start's setup link (setup.go): the page answers 404 to a
		// link that is not kept, and once the county is set up to any.
		{"GET", "/setup/{token}", accessPublic, false, s.handleSetupForm},
		{"POST", "/setup/{token}", accessPublic, false, s.handleSetup},
		{"GET", "/bureau/settings", accessBureau, false, s.handleBureauSettings},
		{"POST", "/bureau/settings", accessBureau, false, s.handleBureauSettingsSave},
		// The admin log (adminlog.go): the bureau's for its administrators and
		// inspectors (decided by bureauOf), a school's for its principal.
		{"GET", "/bureau/log", accessSignedIn, false, s.handleBureauAdminLog},
		{"GET", "/bureau/log.xlsx", accessSignedIn, false, s.handleBureauAdminLogExport},
		{"GET", "/s/{slug}/manage/log", accessManage, false, s.handleSchoolAdminLog},
	}
}

// procedureRoutes are the staff side of the disclosure procedure: the work
// queue, the list, the registration form, review and steps, revisions,
// rosters and redaction.
func (s *Server) procedureRoutes() []route {
	return []route{
		// Staff side.
		{"GET", "/work", accessSignedIn, false, s.handleWork},
		{"GET", "/s/{slug}/internal/{$}", accessStaff, false, s.handleInternalBoard},
		{"GET", "/s/{slug}/manage/{$}", accessWorkflow, false, s.handleManageList},
		{"GET", "/s/{slug}/manage/new", accessCreate, false, s.handleNewForm},
		{"POST", "/s/{slug}/manage/new", accessCreate, false, s.handleCreate},
		{"GET", "/s/{slug}/manage/d/{id}", accessWorkflow, false, s.handleReview},
		{"GET", "/s/{slug}/manage/d/{id}/edit", accessCreate, false, s.handleEditForm},
		{"POST", "/s/{slug}/manage/d/{id}/edit", accessCreate, false, s.handleEdit},
		{"POST", "/s/{slug}/manage/d/{id}/files", accessCreate, false, s.handleUpload},
		{"POST", "/s/{slug}/manage/d/{id}/files/{att}/delete", accessCreate, false, s.handleRemoveFile},
		{"POST", "/s/{slug}/manage/d/{id}/act/{action}", accessWorkflow, false, s.handleAct},
		{"POST", "/s/{slug}/manage/d/{id}/privacy/mask", accessCreate, false, s.handleMaskPrivacy},
		{"POST", "/s/{slug}/manage/d/{id}/privacy/override", accessWorkflow, false, s.handleOverridePrivacy},
		{"GET", "/s/{slug}/manage/d/{id}/revise", accessCreate, false, s.handleReviseForm},
		{"POST", "/s/{slug}/manage/d/{id}/revise", accessCreate, false, s.handleRevise},
		// The pending revision of a published item (revision.go): its page
		// and steps for the procedure, its draft for the clerk or principal.
		{"GET", "/s/{slug}/manage/d/{id}/revision", accessWorkflow, false, s.handleRevision},
		{"GET", "/s/{slug}/manage/d/{id}/revision/edit", accessCreate, false, s.handleRevisionEditForm},
		{"POST", "/s/{slug}/manage/d/{id}/revision/edit", accessCreate, false, s.handleRevisionEdit},
		{"POST", "/s/{slug}/manage/d/{id}/revision/act/{action}", accessWorkflow, false, s.handleRevisionAct},
		// Postings of a published item (posting.go): recorded and voided by
		// the clerk or the principal, never edited or deleted.
		{"POST", "/s/{slug}/manage/d/{id}/postings", accessCreate, false, s.handleRecordPosting},
		{"POST", "/s/{slug}/manage/d/{id}/postings/{posting}/void", accessCreate, false, s.handleVoidPosting},
		// Taken-down rosters and impact assessments (roster.go): the
		// original opens for staff of the procedure with a recorded reason;
		// the records page answers 404 to all but the principal, the
		// supervision group and the bureau; the principal assesses.
		{"GET", "/s/{slug}/manage/d/{id}/audit", accessWorkflow, false, s.handleAuditForm},
		{"POST", "/s/{slug}/manage/d/{id}/audit", accessWorkflow, false, s.handleAudit},
		{"GET", "/s/{slug}/manage/d/{id}/audit/{audit}", accessWorkflow, false, s.handleAuditView},
		{"GET", "/s/{slug}/privacy", accessWorkflow, false, s.handlePrivacy},
		{"GET", "/s/{slug}/privacy/assess/{code}", accessManage, false, s.handleAssessForm},
		{"POST", "/s/{slug}/privacy/assess/{code}", accessManage, false, s.handleAssess},
		// Deleting personal data from a published item (redaction.go): the
		// domain decides, so that it answers 403 to the school's other
		// members and 404 to anyone with no part in the school.
		{"GET", "/s/{slug}/manage/d/{id}/v/{version}/redact", accessSignedIn, false, s.handleRedactForm},
		{"POST", "/s/{slug}/manage/d/{id}/v/{version}/redact", accessSignedIn, false, s.handleRedact},
		{"GET", "/s/{slug}/manage/d/{id}/files/{att}/redact", accessSignedIn, false, s.handleRedactForm},
		{"POST", "/s/{slug}/manage/d/{id}/files/{att}/redact", accessSignedIn, false, s.handleRedact},
	}
}

// schoolAdminRoutes are what a principal runs for the school: its people,
// invitations, departments, obligations, catalogue and profile.
func (s *Server) schoolAdminRoutes() []route {
	return []route{
		{"GET", "/s/{slug}/manage/members", accessManage, false, s.handleMembers},
		{"POST", "/s/{slug}/manage/members", accessManage, false, s.handleAddMember},
		{"POST", "/s/{slug}/manage/members/{user}", accessManage, false, s.handleSetRoles},
		{"POST", "/s/{slug}/manage/members/{user}/deactivate", accessManage, false, s.handleDeactivate},
		{"POST", "/s/{slug}/manage/members/{user}/reactivate", accessManage, false, s.handleReactivate},
		{"POST", "/s/{slug}/manage/members/{user}/reset", accessManage, false, s.handleResetPassword},
		{"POST", "/s/{slug}/manage/members/import", accessManage, false, s.handleImportPreview},
		{"POST", "/s/{slug}/manage/members/import/confirm", accessManage, false, s.handleImportConfirm},
		{"GET", "/s/{slug}/manage/members.xlsx", accessManage, false, s.handleMembersExport},
		{"GET", "/s/{slug}/manage/staff-invitations", accessManage, false, s.handleStaffInvitations},
		{"POST", "/s/{slug}/manage/staff-invitations", accessManage, false, s.handleCreateStaffInvitation},
		{"POST", "/s/{slug}/manage/departments", accessManage, false, s.handleAddDepartment},
		{"GET", "/s/{slug}/manage/invitations", accessManage, false, s.handleInvitations},
		{"POST", "/s/{slug}/manage/invitations", accessManage, false, s.handleCreateInvitation},
		{"GET", "/s/{slug}/manage/invitations/{id}/qr.png", accessManage, false, s.handleInvitationQR},
		{"GET", "/s/{slug}/obligations", accessWorkflow, false, s.handleObligations},
		{"POST", "/s/{slug}/obligations/events", accessCreate, false, s.handleRecordEvent},
		{"POST", "/s/{slug}/obligations/{id}/waive", accessWorkflow, false, s.handleWaive},
		{"GET", "/s/{slug}/manage/catalogue", accessManage, false, s.handleCatalogueAdmin},
		{"POST", "/s/{slug}/manage/catalogue", accessManage, false, s.handleCatalogueSave},
		{"POST", "/s/{slug}/manage/catalogue/delete", accessManage, false, s.handleCatalogueDelete},
		{"POST", "/s/{slug}/manage/catalogue/import", accessManage, false, s.handleCatalogueImport},
		{"GET", "/s/{slug}/manage/catalogue.xlsx", accessManage, false, s.handleCatalogueExport},
		// The school's profile (profile.go) and its public guide.
		{"GET", "/s/{slug}/manage/profile", accessManage, false, s.handleProfile},
		{"POST", "/s/{slug}/manage/profile", accessManage, false, s.handleProfileSave},
		{"GET", "/s/{slug}/guide", accessPublic, false, s.handleGuide},
	}
}

// bureauRoutes are what the bureau runs: its required items, its schools and
// its working-day calendar.
func (s *Server) bureauRoutes() []route {
	return []route{
		// The bureau's required items and its working-day calendar are read
		// by its administrator and inspectors (the handlers answer 403 to
		// others) and changed by the administrator only.
		{"GET", "/bureau/catalogue", accessSignedIn, false, s.handleCatalogueAdmin},
		{"POST", "/bureau/catalogue", accessBureau, false, s.handleCatalogueSave},
		{"POST", "/bureau/catalogue/delete", accessBureau, false, s.handleCatalogueDelete},
		{"POST", "/bureau/catalogue/import", accessBureau, false, s.handleCatalogueImport},
		{"GET", "/bureau/catalogue.xlsx", accessSignedIn, false, s.handleCatalogueExport},
		// The bureau's schools (schools.go): the list and the export are
		// read by the bureau's administrator and inspectors (the handler
		// answers 404 to others), changed by the administrator only.
		{"GET", "/bureau/schools", accessSignedIn, false, s.handleSchools},
		{"GET", "/bureau/schools.xlsx", accessSignedIn, false, s.handleSchoolsExport},
		{"GET", "/bureau/schools/new", accessBureau, false, s.handleSchoolNew},
		{"POST", "/bureau/schools", accessBureau, false, s.handleSchoolCreate},
		{"POST", "/bureau/schools/import", accessBureau, false, s.handleSchoolsImport},
		{"POST", "/bureau/schools/import/confirm", accessBureau, false, s.handleSchoolsImportConfirm},
		{"GET", "/bureau/schools/{slug}", accessBureau, false, s.handleSchoolEdit},
		{"POST", "/bureau/schools/{slug}", accessBureau, false, s.handleSchoolUpdate},
		{"POST", "/bureau/schools/{slug}/deactivate", accessBureau, false, s.handleSchoolActive(false)},
		{"POST", "/bureau/schools/{slug}/reactivate", accessBureau, false, s.handleSchoolActive(true)},
		{"GET", "/admin/calendar", accessSignedIn, false, s.handleCalendar},
		{"POST", "/admin/calendar", accessBureau, false, s.handleCalendarSet},
	}
}

// feedbackRoutes are feedback: the public's ways in, the receipt, the
// staff's handling and the bureau's view.
func (s *Server) feedbackRoutes() []route {
	return []route{
		// Feedback: the public's ways in, the receipt, the staff's handling.
		// Case pages answer 404 to whoever may not see the case, so they are
		// open to any signed-in user and decided by the domain.
		{"GET", "/s/{slug}/feedback/new", accessPublic, false, s.handleFeedbackForm},
		{"POST", "/s/{slug}/feedback", accessPublic, false, s.handleFeedbackCreate},
		{"GET", "/s/{slug}/feedback/{id}", accessSignedIn, false, s.handleMyCase},
		{"POST", "/s/{slug}/feedback/{id}/support", accessSignedIn, false, s.handleSupport},
		{"GET", "/s/{slug}/qa", accessPublic, false, s.handleQA},
		{"GET", "/lookup", accessPublic, false, s.handleLookupForm},
		{"POST", "/lookup", accessPublic, false, s.handleLookup},
		{"POST", "/lookup/act", accessPublic, false, s.handleLookupAct},
		{"POST", "/lookup/file", accessPublic, false, s.handleLookupFile},
		{"GET", "/s/{slug}/cases", accessStaff, false, s.handleCases},
		{"GET", "/s/{slug}/cases/{id}", accessSignedIn, false, s.handleCase},
		{"POST", "/s/{slug}/cases/{id}/{action}", accessSignedIn, false, s.handleCaseStep},
		{"GET", "/s/{slug}/cases/{id}/files/{att}/{name}", accessSignedIn, false, s.handleCaseFile},
		{"GET", "/bureau/cases", accessSignedIn, false, s.handleBureauCases},
		{"GET", "/bureau/{$}", accessSignedIn, false, s.handleDashboard},
		{"GET", "/bureau/dashboard.xlsx", accessSignedIn, false, s.handleDashboardExport},
		{"GET", "/s/{slug}/manage/feedback", accessManage, false, s.handleFeedbackSettings},
		{"POST", "/s/{slug}/manage/feedback", accessManage, false, s.handleFeedbackSettingsSave},
		{"POST", "/s/{slug}/manage/feedback/templates", accessManage, false, s.handleReplyTemplateSave},
		{"POST", "/s/{slug}/manage/feedback/templates/{id}/delete", accessManage, false, s.handleReplyTemplateDelete},
	}
}

// oversightRoutes are oversight: supervision orders, self-inspection, the
// annual report and surveys.
func (s *Server) oversightRoutes() []route {
	return []route{
		// Supervision orders (督办通知 / 整改通知) from the bureau to schools.
		// Order pages answer 404 to whoever may not read them, so they are
		// open to any signed-in user and decided by the domain (order.go).
		{"GET", "/bureau/orders", accessSignedIn, false, s.handleBureauOrders},
		{"GET", "/bureau/orders/new", accessBureau, false, s.handleOrderForm},
		{"POST", "/bureau/orders", accessBureau, false, s.handleOrderIssue},
		{"GET", "/s/{slug}/orders", accessSignedIn, false, s.handleSchoolOrders},
		{"GET", "/s/{slug}/orders/{id}", accessSignedIn, false, s.handleOrder},
		{"POST", "/s/{slug}/orders/{id}/answer", accessSignedIn, false, s.handleOrderAnswer},
		{"POST", "/s/{slug}/orders/{id}/accept", accessSignedIn, false, s.handleOrderAccept},
		{"POST", "/s/{slug}/orders/{id}/return", accessSignedIn, false, s.handleOrderReturn},
		{"GET", "/s/{slug}/orders/{id}/files/{file}", accessSignedIn, false, s.handleOrderFile},

		// Self-inspection (自查) and the annual disclosure report (年度报告).
		// Their pages answer 404 to whoever may not read them, so they are
		// open to any signed-in user and decided by the domain
		// (inspection.go, report.go). {year} may end in ".xlsx".
		{"GET", "/s/{slug}/inspection", accessSignedIn, false, s.handleInspections},
		{"GET", "/s/{slug}/inspection/{term}", accessSignedIn, false, s.handleInspection},
		{"POST", "/s/{slug}/inspection/{term}", accessSignedIn, false, s.handleInspectionSave},
		{"POST", "/s/{slug}/inspection/{term}/{item}/done", accessSignedIn, false, s.handleMeasureDone},
		{"GET", "/bureau/inspections", accessSignedIn, false, s.handleBureauInspections},
		{"GET", "/s/{slug}/report", accessSignedIn, false, s.handleReportIndex},
		{"GET", "/s/{slug}/report/{year}", accessSignedIn, false, s.handleReport},
		{"POST", "/s/{slug}/report/{year}/text", accessSignedIn, false, s.handleReportText},
		{"POST", "/s/{slug}/report/{year}/publish", accessSignedIn, false, s.handleReportPublish},
		{"GET", "/bureau/report/{year}", accessSignedIn, false, s.handleBureauReport},
		// The bureau as witness of its schools' logs (witness.go): the C2SP
		// tlog-witness endpoint and key are public, as the protocol has
		// them; the page is the bureau's, its form the administrator's.
		{"POST", "/witness/add-checkpoint", accessPublic, false, s.handleWitnessAdd},
		{"GET", "/witness/key", accessPublic, false, s.handleWitnessKey},
		{"GET", "/bureau/witness", accessSignedIn, false, s.handleWitness},
		{"POST", "/bureau/witness/logs", accessBureau, false, s.handleWitnessLogAdd},

		// Surveys (测评 / 民主评议): run by the supervision group or the
		// principal, answered once by the members of their audience; the
		// pages answer 404 to whoever may not see a survey, so the access
		// level is the widest that applies and the domain decides.
		{"GET", "/s/{slug}/surveys", accessSignedIn, false, s.handleSurveys},
		{"GET", "/s/{slug}/surveys/new", accessWorkflow, false, s.handleSurveyNew},
		{"POST", "/s/{slug}/surveys/new", accessWorkflow, false, s.handleSurveyCreate},
		{"POST", "/s/{slug}/surveys/template", accessWorkflow, false, s.handleSurveyFromTemplate},
		{"GET", "/s/{slug}/surveys/{id}", accessSignedIn, false, s.handleSurvey},
		{"POST", "/s/{slug}/surveys/{id}/answer", accessSignedIn, false, s.handleSurveyAnswer},
		{"GET", "/s/{slug}/surveys/{id}/edit", accessWorkflow, false, s.handleSurveyEditForm},
		{"POST", "/s/{slug}/surveys/{id}/edit", accessWorkflow, false, s.handleSurveyEdit},
		{"POST", "/s/{slug}/surveys/{id}/open", accessWorkflow, false, s.handleSurveyOpen},
		{"POST", "/s/{slug}/surveys/{id}/close", accessWorkflow, false, s.handleSurveyClose},
		{"GET", "/s/{slug}/surveys/{id}/results", accessWorkflow, false, s.handleSurveyResults},
		{"POST", "/s/{slug}/surveys/{id}/publish", accessWorkflow, false, s.handleSurveyPublish},
		{"GET", "/api/v1/schools/{slug}/surveys", accessSignedIn, true, s.apiSurveys},
		{"GET", "/api/v1/surveys/{id}/results", accessSignedIn, true, s.apiSurveyResults},
		{"POST", "/api/v1/surveys/{id}/answers", accessSignedIn, true, s.apiSurveyAnswer},
	}
}

// apiRoutes are the JSON API under /api/v1 (its survey routes are with the
// surveys).
func (s *Server) apiRoutes() []route {
	return []route{
		// JSON API.
		{"GET", "/api/v1/openapi.json", accessPublic, true, s.apiOpenAPI},
		{"POST", "/api/v1/auth/token", accessPublic, true, s.apiToken},
		{"DELETE", "/api/v1/auth/token", accessSignedIn, true, s.apiRevokeToken},
		{"GET", "/api/v1/schools", accessPublic, true, s.apiSchools},
		{"POST", "/api/v1/schools", accessBureau, true, s.apiCreateSchool},
		{"PUT", "/api/v1/schools/{slug}", accessBureau, true, s.apiUpdateSchool},
		{"GET", "/api/v1/schools/{slug}/catalogue", accessPublic, true, s.apiCatalogue},
		{"GET", "/api/v1/schools/{slug}/disclosures", accessPublic, true, s.apiDisclosures},
		{"POST", "/api/v1/schools/{slug}/disclosures", accessCreate, true, s.apiCreateDisclosure},
		{"GET", "/api/v1/disclosures/{id}", accessPublic, true, s.apiDisclosure},
		{"PUT", "/api/v1/disclosures/{id}", accessSignedIn, true, s.apiUpdateDisclosure},
		{"POST", "/api/v1/disclosures/{id}/attachments", accessSignedIn, true, s.apiUpload},
		{"POST", "/api/v1/disclosures/{id}/{action}", accessSignedIn, true, s.apiAct},
		{"PUT", "/api/v1/disclosures/{id}/revision", accessSignedIn, true, s.apiRevisionUpdate},
		{"POST", "/api/v1/disclosures/{id}/revision/{action}", accessSignedIn, true, s.apiRevisionAct},
		{"POST", "/api/v1/schools/{slug}/feedback", accessPublic, true, s.apiCreateFeedback},
		{"GET", "/api/v1/schools/{slug}/feedback", accessStaff, true, s.apiFeedbackQueue},
		{"GET", "/api/v1/schools/{slug}/obligations", accessWorkflow, true, s.apiObligations},
		{"POST", "/api/v1/schools/{slug}/members", accessManage, true, s.apiAddMember},
		{"GET", "/api/v1/dashboard", accessSignedIn, true, s.apiDashboard},
		{"POST", "/api/v1/feedback/lookup", accessPublic, true, s.apiFeedbackLookup},
		{"POST", "/api/v1/feedback/follow-up", accessPublic, true, s.apiFeedbackFollowUp},
		{"GET", "/api/v1/feedback/{id}", accessSignedIn, true, s.apiFeedbackCase},
		{"POST", "/api/v1/feedback/{id}/{action}", accessSignedIn, true, s.apiFeedbackAct},
		// Supervision orders (orders.go).
		{"GET", "/api/v1/orders", accessSignedIn, true, s.apiOrders},
		{"GET", "/api/v1/schools/{slug}/orders", accessSignedIn, true, s.apiSchoolOrders},
		{"POST", "/api/v1/orders/{id}/answer", accessSignedIn, true, s.apiOrderAnswer},
		// Self-inspections and annual reports (api_inspections.go), read by
		// those who read them on the pages.
		{"GET", "/api/v1/schools/{slug}/inspections", accessSignedIn, true, s.apiInspections},
		{"GET", "/api/v1/schools/{slug}/inspections/{term}", accessSignedIn, true, s.apiInspection},
		{"GET", "/api/v1/schools/{slug}/reports/{year}", accessSignedIn, true, s.apiReport},
	}
}
