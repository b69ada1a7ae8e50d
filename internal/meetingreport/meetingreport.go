// Package meetingreport reads the attendance reports that Microsoft Teams and
// Zoom let a meeting's organiser download, and turns either into one list of
// participants with the time each spent in the meeting, so the register of an
// online session can be filled in from it.
//
// It accepts what people actually upload: UTF-8 with or without a
// byte-order mark, UTF-16 (Teams writes UTF-16LE with tabs), Windows-1252
// from Excel; tab-, comma- or semicolon-separated; quoted fields; CRLF or LF;
// extra and reordered columns. Anything else is refused with an error that
// matches ErrUnrecognised and whose text can be shown to the person who
// uploaded the file.
//
// Minutes are whole minutes rounded down: a person's total is the sum of the
// durations the report gives for each of their rows (Teams gives seconds;
// Zoom gives whole minutes, which it rounds up per row), capped at the time
// from their first join to their last leave (rounded up to a minute) when the
// report gives both for every row, so that being connected from two devices at
// once is not counted twice. Only when a row has no readable duration is it
// worked out from its join and leave times.
package meetingreport

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Sources a report can come from.
const (
	SourceTeams = "teams"
	SourceZoom  = "zoom"
)

// MaxSize is the largest report accepted, in bytes; real reports are far smaller.
const MaxSize = 10 << 20

// ErrUnrecognised is matched by every error that refuses a file as not being
// a readable attendance report. Such errors are *UnrecognisedError.
var ErrUnrecognised = errors.New("meetingreport: unrecognised attendance report")

// UnrecognisedError says, in a sentence fit to show the person who uploaded
// the file, why it was refused.
type UnrecognisedError struct {
	Reason string
}

// Error returns the user-facing sentence.
func (e *UnrecognisedError) Error() string { return e.Reason }

// Unwrap makes errors.Is(err, ErrUnrecognised) hold.
func (e *UnrecognisedError) Unwrap() error { return ErrUnrecognised }

func refuse(reason string) error { return &UnrecognisedError{Reason: reason} }

const (
	msgNoTable = "This is not a Teams or Zoom attendance report: no participant table with Name and Duration columns was found."
	msgEmpty   = "The file is empty. Download the attendance report from Teams or Zoom again and upload that file."
	msgBinary  = "This file is not text, so it is not a Teams or Zoom attendance report. Download the report as a CSV file and upload that."
	msgTooBig  = "The file is larger than 10 MB, far larger than any attendance report. Check that you chose the right file."
	msgNoRows  = "The attendance report has a participant table but no participants in it."
	msgBadRows = "The attendance report has a participant table, but no row in it has both a name and a time in the meeting that could be read."
	msgLegacy  = "This looks like a Teams attendance list, but none of its join and leave times could be read."
)

// Participant is one person in a report, however many times they joined.
type Participant struct {
	Name      string    // as the report gives it, without a "(Guest)" or "(External)" marker
	Email     string    // lower-case; empty for guests who gave none
	Minutes   int       // total time in the meeting, in whole minutes rounded down
	Joins     int       // times the report shows them joining; 1 when it gives only a total
	FirstJoin time.Time // zero when the report does not give it or it could not be read
	LastLeave time.Time // zero when the report does not give it or it could not be read
}

// Report is an attendance report read from Teams or Zoom.
type Report struct {
	Source       string // SourceTeams or SourceZoom
	Title        string // the meeting's title or topic, when the report gives it
	Start, End   time.Time
	Participants []Participant // in the order they first appear in the file
	Skipped      int           // rows of the participant table that could not be read
}

// parse reads an attendance report, taking times without a zone as UTC.
func parse(data []byte) (*Report, error) { return ParseIn(data, time.UTC) }

// read reads an attendance report of at most MaxSize bytes from r, taking
// times without a zone to be in loc.
func read(r io.Reader, loc *time.Location) (*Report, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("meetingreport: read: %w", err)
	}
	return ParseIn(data, loc)
}

// ParseIn reads an attendance report, taking times without a zone (which is
// how Teams and Zoom write them) to be in loc; nil means UTC.
func ParseIn(data []byte, loc *time.Location) (*Report, error) {
	if loc == nil {
		loc = time.UTC
	}
	if len(data) > MaxSize {
		return nil, refuse(msgTooBig)
	}
	if err := refuseByMagic(data); err != nil {
		return nil, err
	}
	text := decode(data)
	if strings.TrimSpace(strings.ReplaceAll(text, "\x00", "")) == "" {
		return nil, refuse(msgEmpty)
	}
	if looksBinary(text) {
		return nil, refuse(msgBinary)
	}

	// Try the layouts in turn; the first that yields a participant table wins.
	// Unquoted reading is the last resort, for a stray quote in a tab file.
	var firstErr error
	for _, l := range []struct {
		delim  byte
		quotes bool
	}{{'\t', true}, {',', true}, {';', true}, {'\t', false}, {',', false}} {
		if strings.IndexByte(text, l.delim) < 0 {
			continue
		}
		rep, err := parseRecords(readRecords(text, l.delim, l.quotes), loc)
		if err == nil {
			return rep, nil
		}
		if firstErr == nil || (firstErr.Error() == msgNoTable && err.Error() != msgNoTable) {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = refuse(msgNoTable)
	}
	return nil, firstErr
}

// colKind is what a column of a header row holds.
type colKind int

const (
	colName colKind = iota
	colEmail
	colUPN
	colJoin
	colLeave
	colDuration // a clock duration: 1h 2m 3s
	colMinutes  // a number of minutes
	colGuest
	colWaiting
	colAction
	colTimestamp
	colTitle
	colMeetingID
	colStart
	colEnd
	numCols
)

var headerWords = map[string]colKind{
	"name": colName, "full name": colName, "participant name": colName, "display name": colName,
	"participant": colName, "attendee": colName, "attendee name": colName, "user name": colName,
	"email": colEmail, "e-mail": colEmail, "user email": colEmail, "email address": colEmail,
	"e-mail address": colEmail, "participant email": colEmail, "attendee email": colEmail,
	"participant id (upn)": colUPN, "upn": colUPN,
	"first join": colJoin, "join time": colJoin, "first join time": colJoin, "joined": colJoin,
	"join": colJoin, "joined at": colJoin, "first joined": colJoin,
	"last leave": colLeave, "leave time": colLeave, "last leave time": colLeave, "left": colLeave,
	"leave": colLeave, "left at": colLeave, "last left": colLeave,
	"in-meeting duration": colDuration, "in meeting duration": colDuration, "duration": colDuration,
	"attendance duration": colDuration, "time in meeting": colDuration, "total duration": colDuration,
	"guest": colGuest, "in waiting room": colWaiting,
	"user action": colAction, "action": colAction, "activity": colAction,
	"timestamp": colTimestamp, "time stamp": colTimestamp,
	"topic": colTitle, "meeting title": colTitle, "title": colTitle, "meeting topic": colTitle,
	"meeting name": colTitle,
	"meeting id":   colMeetingID,
	"start time":   colStart, "meeting start time": colStart,
	"end time": colEnd, "meeting end time": colEnd,
}

// header is a row read as column headings.
type header struct {
	col   [numCols]int // index of the first column of each kind, or -1
	found int          // how many cells were recognised
	zoom  bool         // headings only Zoom uses
}

func headerKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(cleanCell(s)), " "))
}

func parseHeader(rec []string) header {
	var h header
	for i := range h.col {
		h.col[i] = -1
	}
	if len(rec) < 2 {
		return h
	}
	for i, cell := range rec {
		key := headerKey(cell)
		if key == "" || len(key) > 40 {
			continue
		}
		kind, ok := headerWords[key]
		switch {
		case ok:
		case strings.HasPrefix(key, "name ("):
			kind, h.zoom = colName, true // Zoom's "Name (Original Name)"
		case (strings.Contains(key, "duration") || strings.HasPrefix(key, "time in")) &&
			(strings.Contains(key, "(minutes)") || strings.Contains(key, "(mins)") || strings.Contains(key, "(min)")):
			kind, h.zoom = colMinutes, true
		default:
			continue
		}
		switch {
		case kind == colEmail && key == "user email", kind == colGuest, kind == colWaiting, kind == colMeetingID:
			h.zoom = true
		}
		h.found++
		if h.col[kind] < 0 {
			h.col[kind] = i
		}
	}
	return h
}

func (h header) has(k colKind) bool { return h.col[k] >= 0 }

func (h header) participants() bool {
	return h.has(colName) && (h.has(colDuration) || h.has(colMinutes) || (h.has(colJoin) && h.has(colLeave)))
}

func (h header) legacy() bool {
	return h.has(colName) && h.has(colAction) && h.has(colTimestamp) && !h.participants()
}

func (h header) meetingBlock() bool {
	return !h.has(colName) && (h.has(colTitle) || h.has(colMeetingID)) && h.found >= 2
}

func (h header) cell(rec []string, k colKind) string {
	if i := h.col[k]; i >= 0 && i < len(rec) {
		return rec[i]
	}
	return ""
}

type table struct {
	h      header
	legacy bool
	rows   [][]string
}

// meta is what a report says about the meeting as a whole.
type meta struct {
	title, start, end string
	zoom              bool
}

func isBlank(rec []string) bool {
	for _, c := range rec {
		if cleanCell(c) != "" {
			return false
		}
	}
	return true
}

// scan finds the participant tables and the meeting's details in records.
// A table runs from its header row to the next blank row or header row.
func scan(recs [][]string) (meta, []table) {
	var m meta
	var tables []table
	setMeta := func(title, start, end string) {
		if m.title == "" {
			m.title = title
		}
		if m.start == "" {
			m.start = start
		}
		if m.end == "" {
			m.end = end
		}
	}
	for i := 0; i < len(recs); {
		h := parseHeader(recs[i])
		switch {
		case h.participants() || h.legacy():
			t := table{h: h, legacy: h.legacy()}
			if h.zoom {
				m.zoom = true
			}
			for i++; i < len(recs) && !isBlank(recs[i]); i++ {
				if nh := parseHeader(recs[i]); nh.participants() || nh.legacy() || nh.meetingBlock() {
					break
				}
				t.rows = append(t.rows, recs[i])
			}
			tables = append(tables, t)
			continue
		case h.meetingBlock():
			// A Zoom meeting block: a header and one row of values.
			if h.zoom {
				m.zoom = true
			}
			i++
			for i < len(recs) && isBlank(recs[i]) {
				i++
			}
			if i < len(recs) && parseHeader(recs[i]).found < 2 {
				r := recs[i]
				setMeta(h.cell(r, colTitle), h.cell(r, colStart), h.cell(r, colEnd))
				i++
			}
			continue
		case len(tables) == 0 && h.found <= 1 && len(recs[i]) >= 2:
			// A "key <tab> value" line of the Teams summary.
			if k, known := headerWords[headerKey(recs[i][0])]; known {
				v := recs[i][1]
				switch k {
				case colTitle:
					setMeta(v, "", "")
				case colStart:
					setMeta("", v, "")
				case colEnd:
					setMeta("", "", v)
				}
			}
		}
		i++
	}
	return m, tables
}

// maxDateSamples bounds the work of guessing the date order of huge files.
const maxDateSamples = 2000

func parseRecords(recs [][]string, loc *time.Location) (*Report, error) {
	m, tables := scan(recs)
	if len(tables) == 0 {
		return nil, refuse(msgNoTable)
	}

	samples := []string{m.start, m.end}
	for _, t := range tables {
		for _, r := range t.rows {
			if len(samples) >= maxDateSamples {
				break
			}
			for _, k := range []colKind{colJoin, colLeave, colTimestamp} {
				if c := t.h.cell(r, k); c != "" {
					samples = append(samples, c)
				}
			}
		}
	}
	order := guessDateOrder(samples)

	rep := &Report{Source: SourceTeams, Title: cleanText(m.title, 500)}
	if m.zoom {
		rep.Source = SourceZoom
	}
	rep.Start, _ = parseTime(m.start, order, loc)
	rep.End, _ = parseTime(m.end, order, loc)

	err := refuse(msgNoRows)
	for ti, t := range tables {
		if len(t.rows) == 0 {
			continue
		}
		var ro *roster
		var skipped int
		if t.legacy {
			ro, skipped = readLegacy(t, order, loc)
		} else {
			ro, skipped = readDetail(t, order, loc)
		}
		if len(ro.people) == 0 {
			switch {
			case t.legacy && skipped > 0:
				err = refuse(msgLegacy)
			case skipped > 0 && err.Error() == msgNoRows:
				err = refuse(msgBadRows)
			}
			continue
		}
		rep.Skipped = skipped
		// Teams follows its Participants table with one row per join; use it
		// to count joins and fill in missing join and leave times.
		if ti+1 < len(tables) && !t.legacy && !tables[ti+1].legacy {
			act, _ := readDetail(tables[ti+1], order, loc)
			ro.applyActivity(act)
		}
		rep.Participants = ro.result()
		return rep, nil
	}
	return nil, err
}

// person accumulates one participant's rows.
type person struct {
	name, email string
	seconds     int64
	rows        int
	timedRows   int // rows with both a join and a leave time
	joins       int // set from an activity table or a legacy list, else rows
	first, last time.Time
	merged      bool
}

func (p *person) addTimes(first, last time.Time) {
	if !first.IsZero() && (p.first.IsZero() || first.Before(p.first)) {
		p.first = first
	}
	if !last.IsZero() && (p.last.IsZero() || last.After(p.last)) {
		p.last = last
	}
}

// roster merges rows into people: by e-mail address when there is one, else
// by name; afterwards, someone known only by name is merged into the one
// person with an address who has the same name.
type roster struct {
	byKey  map[string]*person
	people []*person
}

func newRoster() *roster { return &roster{byKey: map[string]*person{}} }

func nameKey(name string) string { return "n:" + strings.ToLower(name) }

func (r *roster) get(name, email string) *person {
	key := nameKey(name)
	if email != "" {
		key = "e:" + email
	}
	p := r.byKey[key]
	if p == nil {
		p = &person{name: name, email: email}
		r.byKey[key] = p
		r.people = append(r.people, p)
	} else if p.name == "" {
		p.name = name
	}
	return p
}

// mergeNames folds name-only people into the single e-mail person with
// their name, if there is exactly one.
func (r *roster) mergeNames() {
	withEmail := map[string][]*person{}
	for _, p := range r.people {
		if p.email != "" && p.name != "" {
			k := nameKey(p.name)
			withEmail[k] = append(withEmail[k], p)
		}
	}
	for _, p := range r.people {
		if p.email != "" {
			continue
		}
		if cands := withEmail[nameKey(p.name)]; len(cands) == 1 {
			q := cands[0]
			q.seconds += p.seconds
			q.rows += p.rows
			q.timedRows += p.timedRows
			q.joins += p.joins
			q.addTimes(p.first, p.last)
			p.merged = true
			r.byKey[nameKey(p.name)] = q
		}
	}
	r.people = slices.DeleteFunc(r.people, func(p *person) bool { return p.merged })
}

func (r *roster) lookup(p *person) *person {
	if p.email != "" {
		if q := r.byKey["e:"+p.email]; q != nil {
			return q
		}
	}
	return r.byKey[nameKey(p.name)]
}

// applyActivity takes join counts, and join and leave times the main table
// lacks, from a table with one row per join.
func (r *roster) applyActivity(act *roster) {
	for _, p := range r.people {
		q := act.lookup(p)
		if q == nil {
			continue
		}
		p.joins = q.rows
		if p.first.IsZero() {
			p.first = q.first
		}
		if p.last.IsZero() {
			p.last = q.last
		}
	}
}

func (r *roster) result() []Participant {
	out := make([]Participant, 0, len(r.people))
	for _, p := range r.people {
		secs := p.seconds
		if p.timedRows == p.rows && p.rows > 0 && p.last.After(p.first) {
			span := int64((p.last.Sub(p.first) + time.Minute - 1) / time.Minute * 60)
			secs = min(secs, span)
		}
		joins := p.joins
		if joins == 0 {
			joins = max(p.rows, 1)
		}
		out = append(out, Participant{
			Name:      p.name,
			Email:     p.email,
			Minutes:   int(max(secs, 0) / 60),
			Joins:     joins,
			FirstJoin: p.first,
			LastLeave: p.last,
		})
	}
	return out
}

// readDetail reads a table with a duration, or join and leave times, per row.
func readDetail(t table, order dateOrder, loc *time.Location) (*roster, int) {
	ro := newRoster()
	skipped := 0
	h := t.h
	for _, rec := range t.rows {
		name := cleanName(h.cell(rec, colName))
		email := cleanEmail(h.cell(rec, colEmail))
		if email == "" {
			email = cleanEmail(h.cell(rec, colUPN))
		}
		if name == "" && email == "" {
			skipped++
			continue
		}
		if yes(h.cell(rec, colWaiting)) {
			continue // time in Zoom's waiting room is not time in the meeting
		}
		join, jok := parseTime(h.cell(rec, colJoin), order, loc)
		leave, lok := parseTime(h.cell(rec, colLeave), order, loc)
		var secs int64
		ok := false
		switch {
		case h.has(colMinutes):
			secs, ok = parseMinutes(h.cell(rec, colMinutes))
		case h.has(colDuration):
			secs, ok = parseClockDuration(h.cell(rec, colDuration))
		}
		if !ok && jok && lok && !leave.Before(join) && leave.Sub(join) <= maxRowSeconds*time.Second {
			secs, ok = int64(leave.Sub(join)/time.Second), true
		}
		if !ok {
			skipped++
			continue
		}
		if jok && lok && leave.Before(join) {
			jok, lok = false, false // misread dates; trust the duration alone
		}
		p := ro.get(name, email)
		p.seconds += secs
		p.rows++
		if jok && lok {
			p.timedRows++
		}
		if jok {
			p.addTimes(join, time.Time{})
		}
		if lok {
			p.addTimes(time.Time{}, leave)
		}
	}
	ro.mergeNames()
	return ro, skipped
}

// readLegacy reads the older Teams attendance list, one row per "Joined" or
// "Left" with a timestamp, adding up each person's time between them. Someone
// still in the meeting when the list was downloaded is counted until its last
// timestamp; a "Left" with no "Joined" before it counts from the first.
func readLegacy(t table, order dateOrder, loc *time.Location) (*roster, int) {
	type event struct {
		at   time.Time
		join bool
	}
	ro := newRoster()
	events := map[*person][]event{}
	var start, end time.Time
	skipped := 0
	h := t.h
	for _, rec := range t.rows {
		name := cleanName(h.cell(rec, colName))
		email := cleanEmail(h.cell(rec, colEmail))
		action := strings.ToLower(cleanCell(h.cell(rec, colAction)))
		at, ok := parseTime(h.cell(rec, colTimestamp), order, loc)
		join := strings.Contains(action, "join")
		leave := strings.Contains(action, "left") || strings.Contains(action, "leave")
		if (name == "" && email == "") || join == leave || !ok {
			skipped++
			continue
		}
		p := ro.get(name, email)
		events[p] = append(events[p], event{at, join})
		if start.IsZero() || at.Before(start) {
			start = at
		}
		if at.After(end) {
			end = at
		}
	}
	for _, p := range ro.people {
		evs := events[p]
		slices.SortStableFunc(evs, func(a, b event) int { return a.at.Compare(b.at) })
		var open time.Time
		inMeeting := false
		for _, e := range evs {
			switch {
			case e.join && !inMeeting:
				open, inMeeting = e.at, true
				p.joins++
				p.addTimes(e.at, time.Time{})
			case !e.join && inMeeting:
				p.seconds += int64(e.at.Sub(open) / time.Second)
				inMeeting = false
				p.addTimes(time.Time{}, e.at)
			case !e.join && p.joins == 0:
				// Left without a recorded join: there since the list began.
				p.seconds += int64(e.at.Sub(start) / time.Second)
				p.joins = 1
				p.addTimes(start, e.at)
			}
		}
		if inMeeting {
			p.seconds += int64(end.Sub(open) / time.Second)
			p.addTimes(time.Time{}, end)
		}
		p.rows = p.joins
		p.timedRows = p.rows
	}
	ro.mergeNames()
	return ro, skipped
}

func yes(s string) bool {
	switch strings.ToLower(cleanCell(s)) {
	case "yes", "y", "true", "1":
		return true
	}
	return false
}

// cleanCell trims a cell, turning the unusual spaces some exports use
// (no-break, narrow no-break) into plain ones and dropping invisible marks.
func cleanCell(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u00a0', '\u202f', '\u2007', '\u2009', '\u3000':
			return ' '
		case '\ufeff', '\u200b', '\u200e', '\u200f', '\u2060':
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// cleanText collapses runs of white space and cuts s to at most n runes.
func cleanText(s string, n int) string {
	s = strings.Join(strings.Fields(cleanCell(s)), " ")
	if utf8.RuneCountInString(s) > n {
		s = strings.TrimSpace(string([]rune(s)[:n]))
	}
	return s
}

// guestMarkers are what Teams appends to the names of people outside the
// organisation; they are not part of the name.
var guestMarkers = []string{"(guest)", "(external)", "(unverified)"}

func cleanName(s string) string {
	s = cleanText(s, 200)
	for {
		trimmed := false
		for _, m := range guestMarkers {
			if len(s) >= len(m) && strings.EqualFold(s[len(s)-len(m):], m) {
				s = strings.TrimSpace(s[:len(s)-len(m)])
				trimmed = true
				break
			}
		}
		if !trimmed {
			return s
		}
	}
}

func cleanEmail(s string) string {
	s = strings.ToLower(cleanCell(s))
	s = strings.TrimPrefix(s, "mailto:")
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
	at := strings.IndexByte(s, '@')
	if len(s) > 254 || at <= 0 || at != strings.LastIndexByte(s, '@') || at == len(s)-1 ||
		strings.ContainsAny(s, " \t\r\n,;<>\"") {
		return ""
	}
	return s
}
