package handlers

import (
	"strconv"
	"strings"

	"rounds/models"
)

// seatsLeftWords says the places left of a session in the same words
// wherever they appear (the list's cards, the public page): each mode in
// turn, the room first, joined by " · ", such as "12 seats left in the room
// · online open" or "Full in the room · 3 waiting".
func seatsLeftWords(ss []seats) string {
	parts := make([]string, 0, 2*len(ss))
	for _, s := range ss {
		room := s.Mode != models.ModeOnline
		switch {
		case s.Unlimited() && room:
			parts = append(parts, "room open")
		case s.Unlimited():
			parts = append(parts, "online open")
		case s.Full() && room:
			parts = append(parts, "full in the room")
		case s.Full():
			parts = append(parts, "full online")
		case room:
			parts = append(parts, plural(s.Left, "seat")+" left in the room")
		default:
			parts = append(parts, plural(s.Left, "online place")+" left")
		}
		if s.Full() && s.Waiting > 0 {
			parts = append(parts, strconv.Itoa(s.Waiting)+" waiting")
		}
	}
	if len(parts) == 0 {
		return ""
	}
	out := strings.Join(parts, " · ")
	return strings.ToUpper(out[:1]) + out[1:]
}
