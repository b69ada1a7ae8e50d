package models

// mailTopicOf is the optional topic an e-mail kind belongs to; false for
// the kinds that always go (a member's own seat and account).
func mailTopicOf(kind MailKind) (MailTopic, bool) {
	switch kind {
	case MailSessionReminder:
		return TopicSessionReminders, true
	case MailFeedbackRequest, MailFeedbackReminder:
		return TopicFeedbackRequests, true
	case MailCertificateIssued:
		return TopicCertificates, true
	case MailRegisterReminder:
		return TopicRegisterReminders, true
	}
	return "", false
}

// MailTopicOf is the optional topic an e-mail kind belongs to, and false
// for the kinds that always go.
func MailTopicOf(kind MailKind) (MailTopic, bool) { return mailTopicOf(kind) }

// topicOffered tells whether the account page offers topic to a member of
// role: only those who teach are reminded to take a register.
func topicOffered(topic MailTopic, role Role) bool {
	if topic == TopicRegisterReminders {
		return role == RoleTeacher || role == RoleCommittee
	}
	return topic.Valid()
}
