package meetingreport

import (
	"encoding/binary"
	"strings"
	"unicode/utf16"
)

// utf16LE encodes s as Teams writes its downloads: UTF-16LE, optionally with a BOM.
func utf16LE(s string, bom bool) []byte {
	return encodeUTF16(s, bom, binary.LittleEndian)
}

func encodeUTF16(s string, bom bool, order binary.AppendByteOrder) []byte {
	u := utf16.Encode([]rune(s))
	var out []byte
	if bom {
		out = order.AppendUint16(out, 0xFEFF)
	}
	for _, c := range u {
		out = order.AppendUint16(out, c)
	}
	return out
}

// crlf turns LF line ends into CRLF.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// tsv joins lines of cells with tabs, so that fixtures can be written readably.
func tsv(rows ...[]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "\t"))
		b.WriteString("\n")
	}
	return b.String()
}

func row(cells ...string) []string { return cells }

// teamsReport is a current Teams attendance report (US locale): a summary, the
// participants with their totals, and each join. Tom Evans dropped out and
// rejoined; Zoë Ó Briain joined as a guest without an e-mail address; Sam Lee
// was there for under a minute.
var teamsReport = tsv(
	row("1. Summary"),
	row("Meeting title", "Renal physiology: near-peer teaching"),
	row("Attended participants", "4"),
	row("Start time", "11/14/25, 6:00:12 PM"),
	row("End time", "11/14/25, 7:30:03 PM"),
	row("Meeting duration", "1h 29m 51s"),
	row("Average attendance time", "52m 28s"),
	row(""),
	row("2. Participants"),
	row("Name", "First Join", "Last Leave", "In-Meeting Duration", "Email", "Participant ID (UPN)", "Role"),
	row("Priya Shah", "11/14/25, 6:00:12 PM", "11/14/25, 7:30:03 PM", "1h 29m 51s", "Priya.Shah@student.example.ac.uk", "priya.shah@student.example.ac.uk", "Organizer"),
	row("Tom Evans", "11/14/25, 6:02:31 PM", "11/14/25, 7:29:40 PM", "1h 15m 2s", "tom.evans@student.example.ac.uk", "tom.evans@student.example.ac.uk", "Attendee"),
	row("Zoë Ó Briain (Guest)", "11/14/25, 6:05:00 PM", "11/14/25, 6:50:03 PM", "45m 3s", "", "", "Attendee"),
	row("Sam Lee", "11/14/25, 7:29:01 PM", "11/14/25, 7:30:00 PM", "59s", "", "sam.lee@student.example.ac.uk", "Attendee"),
	row(""),
	row("3. In-Meeting Activities"),
	row("Name", "Join Time", "Leave Time", "Duration", "Email", "Role"),
	row("Priya Shah", "11/14/25, 6:00:12 PM", "11/14/25, 7:30:03 PM", "1h 29m 51s", "Priya.Shah@student.example.ac.uk", "Organizer"),
	row("Tom Evans", "11/14/25, 6:02:31 PM", "11/14/25, 6:40:00 PM", "37m 29s", "tom.evans@student.example.ac.uk", "Attendee"),
	row("Zoë Ó Briain (Guest)", "11/14/25, 6:05:00 PM", "11/14/25, 6:50:03 PM", "45m 3s", "", "Attendee"),
	row("Tom Evans", "11/14/25, 6:52:07 PM", "11/14/25, 7:29:40 PM", "37m 33s", "tom.evans@student.example.ac.uk", "Attendee"),
	row("Sam Lee", "11/14/25, 7:29:01 PM", "11/14/25, 7:30:00 PM", "59s", "sam.lee@student.example.ac.uk", "Attendee"),
)

// teamsReportUK is the same meeting downloaded with a UK locale: day-first
// dates, a 24-hour clock, and the columns in another order.
var teamsReportUK = tsv(
	row("1. Summary"),
	row("Meeting title", "Renal physiology"),
	row("Start time", "14/11/2025, 18:00:12"),
	row("End time", "14/11/2025, 19:30:03"),
	row(""),
	row("2. Participants"),
	row("Name", "Email", "Role", "In-Meeting Duration", "First Join", "Last Leave"),
	row("Priya Shah", "priya.shah@student.example.ac.uk", "Organizer", "1h 29m 51s", "14/11/2025, 18:00:12", "14/11/2025, 19:30:03"),
	row("Tom Evans", "tom.evans@student.example.ac.uk", "Attendee", "1h 15m 2s", "14/11/2025, 18:02:31", "14/11/2025, 19:29:40"),
)

// teamsLegacy is the older Teams attendance list: one row per join or leave.
var teamsLegacy = tsv(
	row("Full Name", "User Action", "Timestamp"),
	row("Priya Shah", "Joined", "11/14/2025, 6:00:12 PM"),
	row("Tom Evans", "Joined", "11/14/2025, 6:02:31 PM"),
	row("Zoë Ó Briain", "Joined before", "11/14/2025, 6:00:12 PM"),
	row("Tom Evans", "Left", "11/14/2025, 6:40:00 PM"),
	row("Tom Evans", "Joined", "11/14/2025, 6:52:07 PM"),
	row("Zoë Ó Briain", "Left", "11/14/2025, 6:45:12 PM"),
	row("Tom Evans", "Left", "11/14/2025, 7:29:40 PM"),
	row("Priya Shah", "Left", "11/14/2025, 7:30:03 PM"),
	row("Sam Lee", "Joined", "11/14/2025, 7:20:03 PM"),
)

// zoomWithMeeting is Zoom's participant report with the meeting block
// ("Show unique users" off, so one row per join).
const zoomWithMeeting = `Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants
812 3456 7890,"Cardiology, part 2: ECGs",11/14/2025 06:00:05 PM,11/14/2025 07:31:10 PM,host@example.org,92,4

Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent,In Waiting Room
Priya Shah,priya.shah@student.example.ac.uk,11/14/2025 06:00:05 PM,11/14/2025 07:31:10 PM,92,No,Y,No
"Evans, Tom",TOM.EVANS@student.example.ac.uk,11/14/2025 06:02:31 PM,11/14/2025 06:40:00 PM,38,No,Y,No
Zoë Ó Briain,,11/14/2025 06:01:00 PM,11/14/2025 06:04:00 PM,3,Yes,,Yes
Zoë Ó Briain,,11/14/2025 06:04:00 PM,11/14/2025 06:49:30 PM,46,Yes,Y,No
"Evans, Tom", tom.evans@student.example.ac.uk ,11/14/2025 06:52:07 PM,11/14/2025 07:29:40 PM,38,No,Y,No
`

// zoomPlain is the participant table alone, columns reordered, with a person
// whose phone connection has no e-mail and a laptop connection at the same time.
const zoomPlain = `User Email,Name (Original Name),Join Time,Leave Time,Duration (Minutes),Guest
anna.kowalska@student.example.ac.uk,Anna Kowalska,11/14/2025 06:00:40 PM,11/14/2025 07:00:40 PM,60,No
,Anna Kowalska,11/14/2025 06:10:00 PM,11/14/2025 06:50:00 PM,40,Yes
,"Dr ""Mac"" MacLeod, Consultant",11/14/2025 06:15:00 PM,11/14/2025 06:45:00 PM,30,Yes
`

// zoomParticipants is Zoom's "Participants" export: one total per person.
const zoomParticipants = `Name (original name),Email,Total duration (minutes),Guest
Priya Shah,priya.shah@student.example.ac.uk,92,No
"Evans, Tom",tom.evans@student.example.ac.uk,76,No
Zoë Ó Briain,,46,Yes
`
