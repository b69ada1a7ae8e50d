package models

import "strings"

// ChooseMessage is the message for a value that is none of vs, in the
// words the form shows: "Choose in person, online or in person and online."
func ChooseMessage[T interface {
	~string
	Label() string
}](vs ...T) string {
	words := make([]string, len(vs))
	for i, v := range vs {
		words[i] = strings.ToLower(v.Label())
	}
	switch len(words) {
	case 0:
		return "Choose one of the choices offered."
	case 1:
		return "Choose " + words[0] + "."
	}
	return "Choose " + strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1] + "."
}

// PlaceOnRegister is how a member is on a session's register, from the
// status of their booking ("" for none or a cancelled one) and what the
// register says of them ("" for nothing). A walk-in is whoever came
// without a confirmed seat, waitlisted or not booked at all; someone
// excused without a seat sent apologies. The register's labels and tiles
// and the dashboard's walk-ins all count from here.
func PlaceOnRegister(booking BookingStatus, status AttendanceStatus) RegisterPlace {
	came := status == AttendancePresent || status == AttendanceLate
	switch {
	case booking == BookingConfirmed:
		return PlaceBooked
	case came:
		return PlaceWalkIn
	case booking == BookingWaitlisted:
		return PlaceWaitlisted
	case status == AttendanceExcused:
		return PlaceApologies
	}
	return PlaceNotBooked
}
