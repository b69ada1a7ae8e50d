package handlers

// The session list's cards, grouped by day. The list is the most visited
// page and shows dozens of cards, so each card is worked out once into
// plain strings and written straight to HTML here (every value escaped by
// cardHTML.text), rather than through the template engine, which calls a
// function by reflection for every value it prints: see
// docs/PERFORMANCE.md. The markup is that of the session_card template,
// with the places in words and a Book button.

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"rounds/models"
)

// dayHeading names a day as the list heads it: "Today", "Tomorrow", then
// "Tue 8 Dec" (with the year when it is not this year's).
func dayHeading(day, today time.Time) string {
	y1, m1, d1 := day.Date()
	y0, m0, d0 := today.Date()
	t0 := time.Date(y0, m0, d0, 0, 0, 0, 0, time.UTC)
	days := int(time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC).Sub(t0).Hours() / 24)
	switch {
	case days == 0:
		return "Today"
	case days == 1:
		return "Tomorrow"
	case y1 != y0:
		return day.Format("Mon 2 Jan 2006")
	}
	return day.Format("Mon 2 Jan")
}

// cardBytes is about what one card takes, to size the list's buffer once.
const cardBytes = 1100

// chunkBytes is the size from which the list's markup is handed to the
// template in another piece: the template prints each through fmt, which
// keeps buffers of up to 64 kB for reuse and makes a new one for anything
// longer.
const chunkBytes = 16 << 10

// byDay writes the items (in start order) grouped by the day each starts
// on: for each day its heading and the list of its cards, in pieces of
// some kilobytes to be printed one after the other.
func (h *Handler) byDay(items []*sessionItem, csrf string) []template.HTML {
	today := h.Clock.Now().In(h.Config.Location)
	var b cardHTML
	b.Grow(len(items) * cardBytes)
	var out []template.HTML
	key, cut := "", 0
	var date [10]byte
	for _, it := range items {
		start := it.StartsAt.In(h.Config.Location)
		if k := start.AppendFormat(date[:0], "2006-01-02"); string(k) != key {
			if key != "" {
				b.raw("</ul>\n  ")
			}
			if b.Len()-cut >= chunkBytes {
				out = append(out, template.HTML(b.String()[cut:]))
				cut = b.Len()
			}
			key = string(k)
			b.raw("\n  <h3 class=\"day-head\" id=\"day-")
			b.raw(key)
			b.raw("\">")
			b.text(dayHeading(start, today))
			b.raw("</h3>\n  <ul class=\"cards\" aria-labelledby=\"day-")
			b.raw(key)
			b.raw("\">")
		}
		b.card(it, csrf)
	}
	if key != "" {
		b.raw("</ul>\n  ")
	}
	if b.Len() > cut {
		out = append(out, template.HTML(b.String()[cut:]))
	}
	return out
}

// cardHTML writes cards: text escapes, raw writes the markup of this file.
type cardHTML struct{ strings.Builder }

func (b *cardHTML) raw(s string) { b.WriteString(s) }

// text writes s escaped as template.HTMLEscape escapes it, without
// copying it first.
func (b *cardHTML) text(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case 0:
			esc = "\uFFFD"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// card writes one session as a list item.
func (b *cardHTML) card(it *sessionItem, csrf string) {
	var num [20]byte
	id := strconv.AppendInt(num[:0], it.ID, 10)
	b.raw(`<li><article class="card session-card`)
	if it.Muted {
		b.raw(` is-muted`)
	}
	b.raw(`" aria-labelledby="s-`)
	b.Write(id)
	b.raw(`-title"><h4 id="s-`)
	b.Write(id)
	b.raw(`-title"><a href="/sessions/`)
	b.Write(id)
	b.raw(`">`)
	b.text(it.Title)
	b.raw(`</a></h4><p class="badges">`)
	switch {
	case it.Status == models.SessionDraft:
		b.raw(`<span class="badge draft">Draft</span>`)
	case it.Status == models.SessionCancelled:
		b.raw(`<span class="badge bad">Cancelled</span>`)
	case it.Ended:
		b.raw(`<span class="badge">Finished</span>`)
	case it.Started:
		b.raw(`<span class="badge warn">Under way</span>`)
	}
	if mb := it.MyBooking; mb != nil {
		mode := strings.ToLower(mb.Mode.Label())
		switch {
		case mb.Status == models.BookingConfirmed:
			b.raw(`<span class="badge ok">Booked, `)
			b.text(mode)
			b.raw(`</span>`)
		case mb.Status == models.BookingWaitlisted && mb.WaitlistPosition != nil:
			b.raw(`<span class="badge warn">Waitlist: `)
			b.raw(ordinal(*mb.WaitlistPosition))
			b.raw(`, `)
			b.text(mode)
			b.raw(`</span>`)
		default:
			b.raw(`<span class="badge">Booking cancelled</span>`)
		}
	}
	b.raw(`<span class="badge">`)
	b.text(it.Format.Label())
	b.raw(`</span>`)
	if it.Topic != "" {
		b.raw(`<span class="badge topic">`)
		b.text(it.Topic)
		b.raw(`</span>`)
	}
	var when [32]byte
	b.raw(`</p><dl class="facts compact"><dt>When</dt><dd><time datetime="`)
	b.Write(it.StartsAt.UTC().AppendFormat(when[:0], time.RFC3339))
	b.raw(`">`)
	b.text(it.When)
	b.raw(`</time></dd><dt>Where</dt><dd>`)
	b.text(whereWords(it.Session))
	b.raw(`</dd><dt>With</dt><dd>`)
	b.text(teacherWords(it.Teachers))
	b.raw(`</dd><dt>For</dt><dd>`)
	b.text(yearsWords(it.YearGroups))
	b.raw(`</dd>`)
	if it.Status == models.SessionPublished {
		b.raw(`<dt>Places</dt><dd class="seats-words">`)
		b.text(seatsLeftWords(it.Seats))
		b.raw(`</dd>`)
	}
	b.raw(`</dl>`)
	if it.CanJoin() {
		b.raw(`<p><a class="button small" href="/sessions/`)
		b.Write(id)
		b.raw(`/join">Join online</a></p>`)
	}
	if label, mode := cardBooking(it); label != "" {
		b.raw(`<form method="post" action="/sessions/`)
		b.Write(id)
		b.raw(`/book" class="card-book"><input type="hidden" name="_csrf" value="`)
		b.text(csrf)
		b.raw(`"><input type="hidden" name="mode" value="`)
		b.text(string(mode))
		b.raw(`"><button type="submit" class="small" aria-describedby="s-`)
		b.Write(id)
		b.raw(`-title">`)
		b.text(label)
		b.raw(`</button></form>`)
	}
	b.raw(`</article></li>`)
}

// cardBooking is the Book button of a card: its words and the mode it
// books (the first with a free place, as the session page's form), or ""
// when the viewer has a place or booking is closed.
func cardBooking(it *sessionItem) (string, models.Mode) {
	if it.MyBooking != nil || !it.Open() || len(it.Seats) == 0 {
		return "", ""
	}
	ch := choose(it)
	free := false
	for _, s := range it.Seats {
		free = free || (s.Mode == ch.Default && !s.Full())
	}
	switch {
	case !free:
		return "Join the waitlist", ch.Default
	case ch.Default == models.ModeOnline:
		return "Book online", ch.Default
	}
	return "Book a seat", ch.Default
}
