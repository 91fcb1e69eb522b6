package handlers

import (
	"math"
	"strconv"
	"unicode"

	"naptracker/review"
)

// The presentation is shown on a projector, commonly 1366×768 or
// 1920×1080: every slide must fit the screen without scrolling, with type
// no smaller than 24 px. present.css sizes the slides' type to the screen
// (the same share of its width at both sizes), so a slide holds the same
// text at both: about deckHeightEm lines of body type high and
// deckWidthEm wide. A list too long for one slide continues on follow-on
// slides, numbered 2a, 2b…; this file decides where the lists break by
// estimating the height of their rows from the length of their text, in
// the viewer's language (French is longer, Lao is drawn larger). The
// browser test TestSlidesFitTheScreen checks the estimate on every slide
// of the demo plan in English, French and Lao at both sizes.

// Measures of a slide, in em of its body type (see present.css).
const (
	deckHeightEm = 26.8 // content height of a slide (27.9 em: its box less padding), with a margin
	deckWidthEm  = 49.0 // content width of a slide
	lineEm       = 1.3  // body line height
	rowEm        = 0.5  // a table row's padding and rule
	h2Size       = 1.45 // slide heading type, in body em
	h3Size       = 1.1
	slideNoEm    = 5.5 // the slide number beside the heading
	cellPadEm    = 0.8 // left and right padding of a table cell
)

// deckSlide is one slide as shown. Slides are numbered as the presentation
// is: 1 the overview, a slide per pillar, compliance, key indicators,
// funding, decisions; a slide whose lists continue on follow-on slides
// becomes 2a, 2b…
type deckSlide struct {
	No   int
	Part string // "a", "b"… when the slide continues over several, else ""
	Kind string // title, pillar, compliance, key, funding or decisions
	// Pillar is the pillar of a pillar slide (index PillarIndex).
	Pillar      *review.PillarSlide
	PillarIndex int
	// Totals: the pillar's counts are on this slide.
	Totals bool
	// Lists, each with the part of it on this slide; Has… says the list's
	// heading is on this slide (with a "none" line when the list is empty).
	HasOffTrack, HasActivities, HasOnTrack bool
	OffTrack                               []review.IndicatorLine
	Activities                             []review.ActivityLine
	OnTrack                                []review.IndicatorLine
	Compliance                             []review.ComplianceLine
	Funding                                []review.PartnerFunding
	// ComplianceTotal: the compliance table ends on this slide, with its total.
	ComplianceTotal bool
	// Est is the estimated height of the slide's content, in em (the
	// browser test compares it with the real one).
	Est float64
}

// EstPct is Est as a percentage of a slide's height.
func (d deckSlide) EstPct() int { return int(math.Round(100 * d.Est / deckHeightEm)) }

// ID is the slide's number as shown and in its address (#slide-2b).
func (d deckSlide) ID() string { return strconv.Itoa(d.No) + d.Part }

// Continued says the slide continues the one before it (2b, 2c…).
func (d deckSlide) Continued() bool { return d.Part != "" && d.Part != "a" }

// section is a list of a slide as the packer sees it: the height of its
// heading and table head (repeated on each slide it continues on) and of
// each row, in em.
type section struct {
	key  string
	head float64
	rows []float64
}

// piece is the part of a section on one slide: rows [from, to).
type piece struct {
	key      string
	from, to int
}

// page is what pack puts on one slide, and its estimated height in em.
type page struct {
	pieces []piece
	height float64
}

// pack lays sections out on as few slides as it can, each slide of height
// capacity with a heading of height title. A section that does not fit on
// the slide it would start on starts a new one; one that does not fit on a
// slide of its own is split over several, its rows spread evenly (5 and 5
// rather than 9 and 1).
func pack(capacity, title float64, secs []section) []page {
	var pages []page
	var cur []piece
	left := capacity - title
	flush := func() {
		if len(cur) > 0 {
			pages = append(pages, page{cur, capacity - left})
		}
		cur, left = nil, capacity-title
	}
	for _, s := range secs {
		total := s.head + sum(s.rows)
		if total > left && len(cur) > 0 {
			flush()
		}
		if total <= left || len(s.rows) <= 1 {
			cur = append(cur, piece{s.key, 0, len(s.rows)})
			left -= total
			continue
		}
		room := capacity - title - s.head
		for i, c := range balance(s.rows, room) {
			if i > 0 {
				flush()
			}
			cur = append(cur, piece{s.key, c[0], c[1]})
			left = room - sum(s.rows[c[0]:c[1]])
		}
	}
	flush()
	if len(pages) == 0 {
		pages = []page{{height: title}}
	}
	return pages
}

// balance splits rows into as few runs as fit in room each, as evenly as
// it can: the smallest room that needs no more runs than room does.
func balance(rows []float64, room float64) [][2]int {
	n := len(greedy(rows, room))
	lo, hi := 0.0, room
	for _, r := range rows {
		lo = max(lo, r)
	}
	if lo >= hi {
		return greedy(rows, room)
	}
	for range 40 {
		mid := (lo + hi) / 2
		if len(greedy(rows, mid)) <= n {
			hi = mid
		} else {
			lo = mid
		}
	}
	return greedy(rows, hi)
}

// greedy fills runs of rows up to room each (a row taller than room has a
// run of its own).
func greedy(rows []float64, room float64) [][2]int {
	var out [][2]int
	start, used := 0, 0.0
	for i, r := range rows {
		if i > start && used+r > room {
			out = append(out, [2]int{start, i})
			start, used = i, 0
		}
		used += r
	}
	if start < len(rows) {
		out = append(out, [2]int{start, len(rows)})
	}
	return out
}

func sum(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

// textEm estimates the width of text in em of its type: a Latin letter is
// about half an em (DejaVu Sans, the widest of the usual fonts, a little
// more), capitals and digits more, a Lao consonant or vowel about two
// thirds, and Lao marks above and below nothing.
func textEm(s string) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == ' ' || r == '\u00a0' || r == '\u202f':
			w += 0.32
		case r >= 0x0E80 && r <= 0x0EFF:
			w += 0.68
		case unicode.IsUpper(r) || unicode.IsDigit(r) || r == '%' || r == '—' || r == 'm' || r == 'w':
			w += 0.7
		default:
			w += 0.56
		}
	}
	return w
}

// lines estimates how many lines text takes in a column width wide (em of
// body type) at type size times the body's; words do not break, so a line
// is taken as 90 % full.
func lines(text string, width, size float64) float64 {
	if width <= 1 {
		width = 1
	}
	return max(1, math.Ceil(textEm(text)*size/(width*0.9)))
}

// longestWord is the width of the widest word of text (a column is never
// narrower). Lao is written without spaces between words and breaks
// between syllables: a run of it counts as a word of 4 em at most.
func longestWord(text string) float64 {
	best, start := 0.0, 0
	rs := []rune(text)
	for i := 0; i <= len(rs); i++ {
		if i == len(rs) || rs[i] == ' ' {
			w := textEm(string(rs[start:i]))
			if i > start && rs[start] >= 0x0E80 && rs[start] <= 0x0EFF {
				w = min(w, 4)
			}
			best = max(best, w)
			start = i + 1
		}
	}
	return best
}

// table estimates a table's rows: its first column takes what the other
// columns leave, each of those as wide as its widest cell or the widest
// word of its header. cells[i] are the texts of row i (first column first).
func table(headers []string, cells [][]string) (head float64, rows []float64) {
	widths := make([]float64, len(headers))
	for j := 1; j < len(headers); j++ {
		widths[j] = longestWord(headers[j])
		for _, row := range cells {
			widths[j] = max(widths[j], textEm(row[j]))
		}
		widths[j] += cellPadEm
	}
	// The first column takes the rest, but never less than its longest word.
	widths[0] = max(deckWidthEm-sum(widths[1:]), longestWord(headers[0])+cellPadEm, 4)
	for _, row := range cells {
		widths[0] = max(widths[0], longestWord(row[0])+cellPadEm)
	}
	// Cells other than the first do not wrap (present.css); headers do.
	height := func(texts []string, wrap bool) float64 {
		n := lines(texts[0], widths[0]-cellPadEm, 1)
		for j := 1; wrap && j < len(texts); j++ {
			n = max(n, lines(texts[j], widths[j]-cellPadEm, 1))
		}
		return n*lineEm + rowEm
	}
	head = height(headers, true)
	for _, row := range cells {
		rows = append(rows, height(row, false))
	}
	return head, rows
}

// heading is the height of a slide's heading (beside its number), or of a
// list's (h3).
func heading(text string, size, width float64) float64 {
	return lines(text, width/size, 1)*size*1.2 + 0.45*size
}

// buildDeck lays the slides out for the viewer's language.
func (p presentPage) buildDeck() []deckSlide {
	S, L := p.S, p.L
	lang := L.Lang
	deck := []deckSlide{{No: 1, Kind: "title"}}
	title := func(text string) float64 { return heading(text, h2Size, deckWidthEm-slideNoEm) }
	h3 := func(text string) float64 { return heading(text, h3Size, deckWidthEm) }
	none := lineEm + 0.5

	// Indicator tables: the pillar slides' leave out the period and baseline.
	indicators := func(lines []review.IndicatorLine, short bool) (float64, []float64) {
		headers := []string{L.T("present.indicator")}
		if !short {
			headers = append(headers, L.T("present.period"), L.T("present.baseline"))
		}
		headers = append(headers, L.T("present.target"), L.T("present.actual"), L.T("present.pct"), L.T("present.rating"))
		var cells [][]string
		for _, l := range lines {
			row := []string{l.Code + " " + l.NameI18n.In(lang, l.Name)}
			if !short {
				row = append(row, l.Period, L.Num(l.Baseline))
			}
			actual := L.Num(l.Actual)
			if l.Withheld {
				actual = L.T("present.withheld")
			}
			pct := "–"
			if l.Progress != nil {
				pct = L.Pct(*l.Progress)
			}
			row = append(row, L.Num(l.Target), actual, pct, "■ "+p.RAGWord(l.RAG))
			cells = append(cells, row)
		}
		return table(headers, cells)
	}
	list := func(key, label string, head float64, rows []float64, empty bool) section {
		s := section{key: key, head: h3(label) + head, rows: rows}
		if empty {
			s.head, s.rows = h3(label)+none, nil
		}
		return s
	}

	for i := range S.Pillars {
		ps := &S.Pillars[i]
		name := S.Tier1In(lang) + " " + ps.Code + " " + ps.TitleIn(lang)
		secs := []section{{key: "totals", head: p.totalsHeight(ps.Totals)}}
		oh, or := indicators(ps.OffTrack, true)
		secs = append(secs, list("off", L.T("present.furthest_off"), oh, or, len(ps.OffTrack) == 0))
		var cells [][]string
		for _, a := range ps.Activities {
			st := p.StatusWord(a.Status)
			if a.Status != review.NoReport {
				st += " · 100 %"
			}
			cells = append(cells, []string{a.Code + " " + a.TitleIn(lang) + " (" + a.Lead + ")", st})
		}
		// The activities' table has no heading of its own: its head says it.
		ah, ar := table([]string{S.Tier3In(lang), L.T("present.status")}, cells)
		if len(ps.Activities) == 0 {
			ah, ar = none, nil
		}
		secs = append(secs, section{key: "acts", head: ah + 0.3, rows: ar})
		for _, pg := range pack(deckHeightEm, title(name+" "+L.T("present.continued")), secs) {
			d := deckSlide{No: p.PillarNo(i), Kind: "pillar", Pillar: ps, PillarIndex: i, Est: pg.height}
			for _, pc := range pg.pieces {
				switch pc.key {
				case "totals":
					d.Totals = true
				case "off":
					d.HasOffTrack, d.OffTrack = true, ps.OffTrack[pc.from:pc.to]
				case "acts":
					d.HasActivities, d.Activities = true, ps.Activities[pc.from:pc.to]
				}
			}
			deck = append(deck, d)
		}
	}

	// Compliance: one row per organisation, the total after the last.
	var comp []section
	if len(S.Compliance) > 0 {
		headers := []string{L.T("present.organisation"), L.T("present.expected"), L.T("present.on_time"), L.T("present.late"), L.T("present.missing"), L.T("present.complete")}
		cells := [][]string{}
		for _, c := range S.Compliance {
			cells = append(cells, []string{c.Acronym, "000", "000", "000", "000", "100 %"})
		}
		h, rows := table(headers, append(cells, []string{L.T("present.total"), "0 000", "0 000", "0 000", "0 000", "100 %"}))
		rows[len(rows)-2] += rows[len(rows)-1] + 0.1
		comp = []section{{key: "comp", head: h + 2*lineEm, rows: rows[:len(rows)-1]}}
	}
	for _, pg := range pack(deckHeightEm, title(L.T("present.compliance_title", S.Latest)+" "+L.T("present.continued")), comp) {
		d := deckSlide{No: p.ComplianceNo(), Kind: "compliance", Est: pg.height}
		for _, pc := range pg.pieces {
			d.Compliance = S.Compliance[pc.from:pc.to]
			d.ComplianceTotal = pc.to == len(S.Compliance)
		}
		deck = append(deck, d)
	}

	// Key indicators: those furthest off track, then the best on track.
	oh, or := indicators(S.OffTrack, false)
	nh, nr := indicators(S.BestOnTrack, false)
	key := []section{list("off", L.T("present.furthest_off"), oh, or, len(S.OffTrack) == 0), list("on", L.T("present.best_on"), nh, nr, len(S.BestOnTrack) == 0)}
	for _, pg := range pack(deckHeightEm, title(L.T("present.key_title")+" "+L.T("present.continued")), key) {
		d := deckSlide{No: p.KeyNo(), Kind: "key", Est: pg.height}
		for _, pc := range pg.pieces {
			switch pc.key {
			case "off":
				d.HasOffTrack, d.OffTrack = true, S.OffTrack[pc.from:pc.to]
			case "on":
				d.HasOnTrack, d.OnTrack = true, S.BestOnTrack[pc.from:pc.to]
			}
		}
		deck = append(deck, d)
	}

	// Funding: a row per partner and currency.
	var fund []section
	if len(S.Funding) > 0 {
		headers := []string{L.T("present.partner"), L.T("present.planned"), L.T("funding.pledged"), L.T("funding.committed"), L.T("funding.disbursed"), L.T("present.spent")}
		var cells [][]string
		for _, f := range S.Funding {
			cells = append(cells, []string{f.Acronym + " " + L.N("present.activities_n", f.Activities), L.Money(f.Planned, f.Currency), L.Money(f.Pledged, f.Currency),
				L.Money(f.Committed, f.Currency), L.Money(f.Disbursed, f.Currency), L.Money(f.Spent, f.Currency)})
		}
		h, rows := table(headers, cells)
		fund = []section{{key: "fund", head: h, rows: rows}}
	}
	for _, pg := range pack(deckHeightEm, title(L.T("present.funding_title")+" "+L.T("present.continued")), fund) {
		d := deckSlide{No: p.FundingNo(), Kind: "funding", Est: pg.height}
		for _, pc := range pg.pieces {
			d.Funding = S.Funding[pc.from:pc.to]
		}
		deck = append(deck, d)
	}

	deck = append(deck, deckSlide{No: p.DecisionsNo(), Kind: "decisions"})
	if p.Review != nil {
		deck = append(deck, deckSlide{No: p.ReviewNo(), Kind: "review"})
	}
	return letter(deck)
}

// letter marks the slides of a number shown over several: 2a, 2b…
func letter(deck []deckSlide) []deckSlide {
	for i := 0; i < len(deck); {
		j := i
		for j < len(deck) && deck[j].No == deck[i].No {
			j++
		}
		if j-i > 1 {
			for k := i; k < j; k++ {
				deck[k].Part = string(rune('a' + min(k-i, 25)))
			}
		}
		i = j
	}
	return deck
}

// totalsHeight estimates the height of a pillar's counts: three charts
// side by side, each a caption, a bar and a legend of a line per count
// (the budget's legend a sentence per currency).
func (p presentPage) totalsHeight(t review.SlideTotals) float64 {
	L := p.L
	col := (deckWidthEm - 3) / 3
	chart := func(caption string, legend float64) float64 {
		return lines(caption, col, 1)*lineEm + 0.25 + 0.9 + 0.3 + legend*lineEm
	}
	nonzero := func(cs []review.Count, word func(string) string) float64 {
		n := 0.0
		for _, c := range cs {
			if c.N > 0 {
				n += lines(word(c.Key)+": 000", col-1.2, 1)
			}
		}
		return n
	}
	money := 0.0
	for _, m := range t.Money {
		money += lines(L.T("present.spent_of", L.Money(m.Spent, m.Currency), L.Money(m.Budget, m.Currency), "100 %"), col, 1)
	}
	if len(t.Money) == 0 {
		money = lines(L.T("present.no_budget"), col, 1)
	}
	return max(chart(L.N("present.activities_n", t.Activities), nonzero(t.ActivityStatus, p.StatusWord)),
		chart(L.N("present.indicators_n", t.Indicators), nonzero(t.RAG, p.RAGWord)),
		chart(L.T("present.budget_spent"), money)) + 0.6
}
