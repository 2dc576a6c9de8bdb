package gongkai

// CanCreateDisclosure reports whether the actor may open a registration form
// in the school.
func CanCreateDisclosure(a *Actor, schoolID int64) bool {
	return a.HasRole(schoolID, RoleClerk) || a.HasRole(schoolID, RolePrincipal)
}

// CanReadDisclosure decides whether the actor may read the item. Unpublished
// items are for the people of the procedure and the bureau; published ones
// for their audience. Callers answer ENOTFOUND, never EFORBIDDEN, when this is
// false, so that an item's existence does not leak.
func CanReadDisclosure(a *Actor, schoolBureauID int64, d *Disclosure) bool {
	if a.Oversees(schoolBureauID) {
		return true
	}
	if !d.Published() {
		return holdsWorkflowRole(a, d.SchoolID)
	}
	return CanReadAudience(a, schoolBureauID, d.SchoolID, d.Audience)
}

// CanReadAudience decides whether the actor may read published items of the
// audience in the school.
func CanReadAudience(a *Actor, schoolBureauID, schoolID int64, aud Audience) bool {
	if aud == AudiencePublic {
		return true
	}
	if a.Oversees(schoolBureauID) {
		return true
	}
	switch aud {
	case AudienceCommunity:
		return a.IsMember(schoolID)
	case AudienceStaff:
		for _, r := range a.Roles(schoolID) {
			if r.isStaffSide() {
				return true
			}
		}
	case AudienceLeadership:
		return a.HasRole(schoolID, RolePrincipal) || a.HasRole(schoolID, RoleLeader) || a.HasRole(schoolID, RoleSupervisor)
	}
	return false
}

// ReadableAudiences lists the audiences whose published items the actor may
// read in the school; boards filter on it in one query.
func ReadableAudiences(a *Actor, schoolBureauID, schoolID int64) []Audience {
	var out []Audience
	for _, aud := range Audiences {
		if CanReadAudience(a, schoolBureauID, schoolID, aud) {
			out = append(out, aud)
		}
	}
	return out
}

// CanSeeUnpublished reports whether the actor may see items before
// publication (drafts and items in review).
func CanSeeUnpublished(a *Actor, schoolBureauID, schoolID int64) bool {
	return a.Oversees(schoolBureauID) || holdsWorkflowRole(a, schoolID)
}

// CanManageSchool reports whether the actor may add members, set roles and
// create invitation codes: the principal, or the bureau's administrator.
func CanManageSchool(a *Actor, schoolBureauID, schoolID int64) bool {
	if a.HasRole(schoolID, RolePrincipal) {
		return true
	}
	return a.Oversees(schoolBureauID) && a.BureauRole == RoleBureauAdmin
}

// CanReadInternalBoard reports whether the actor may open the internal board.
func CanReadInternalBoard(a *Actor, schoolBureauID, schoolID int64) bool {
	return CanReadAudience(a, schoolBureauID, schoolID, AudienceStaff)
}

// CanAdminBureau reports whether the actor administers the bureau (schools,
// the working-day calendar).
func CanAdminBureau(a *Actor, bureauID int64) bool {
	return !a.Anonymous() && a.BureauRole == RoleBureauAdmin && a.BureauID == bureauID
}

func holdsWorkflowRole(a *Actor, schoolID int64) bool {
	for _, r := range a.Roles(schoolID) {
		if r.isWorkflow() {
			return true
		}
	}
	return false
}
