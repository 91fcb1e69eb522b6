package seed

import (
	"naptracker/domain"
)

// indicatorSpec is a demo indicator. Its code says where it hangs: "2.1.a"
// on objective 2.1 (outcome), "2.1.3.a" on activity 2.1.3 (output). Yearly
// targets run linearly from first (first plan year) to last (last plan
// year); the values move toward them at pace (0 means 1). Milestones and
// yes/no indicators are due in plan year dueY and achieved in quarter done
// (0 = not within the plan). rep overrides the reporting organisation.
type indicatorSpec struct {
	code, name, def string
	unit, label     string
	dir, acc        string
	base            float64
	noBase          bool
	first, last     float64
	noTarget, noEnd bool
	dueY, done      int
	steps           []string
	pace            float64
	set             string
	sens            bool
	rep             string
	mov             string
}

// Abbreviations for the table below.
const (
	uNum = domain.UnitNumber
	uPct = domain.UnitPercentage
	uYN  = domain.UnitYesNo
	uMS  = domain.UnitMilestone
	dInc = domain.Increase
	dDec = domain.Decrease
	dMnt = domain.Maintain
	aSum = domain.AccumulateSum
	aCum = domain.AccumulateCumulative
	aLat = domain.AccumulateLatest
)

// demoIndicators are the indicators of the demonstration plan in display order.
var demoIndicators = []indicatorSpec{
	// Outcome indicators.
	{code: "1.1.a", name: "Percentage of NSC-TIP decisions implemented by the agreed deadline", unit: uPct, label: "%", dir: dInc, acc: aLat,
		base: 55, first: 60, last: 85, pace: 0.95, rep: "NSC-TIP", mov: "NSC-TIP decision tracker"},
	{code: "1.2.a", name: "Anti-trafficking budget line maintained in the state budget", unit: uYN, dir: dMnt, acc: aLat,
		base: 1, first: 1, last: 1, rep: "NSC-TIP", mov: "Annual state budget law"},
	{code: "1.3.a", name: "Percentage of lead organisations reporting on time", unit: uPct, label: "%", dir: dInc, acc: aLat,
		base: 60, first: 70, last: 95, pace: 0.8, rep: "NSC-TIP", mov: "NAP Tracker compliance report"},
	{code: "2.1.a", name: "Percentage of people in high-risk provinces who can name at least two trafficking risks", unit: uPct, label: "%", dir: dInc, acc: aLat,
		base: 38, first: 45, last: 70, pace: 1.1, rep: "MOLSW", mov: "Annual knowledge, attitudes and practice survey"},
	{code: "2.2.a", name: "Percentage of vocational-training graduates in employment six months after training", unit: uPct, label: "%", dir: dInc, acc: aLat,
		base: 48, first: 55, last: 75, pace: 0.7, rep: "MOLSW", mov: "Graduate tracer survey"},
	{code: "2.3.a", name: "Share of labour migrants who migrated through regular channels", unit: uPct, label: "%", dir: dInc, acc: aLat,
		base: 31, first: 35, last: 55, pace: 0.45, rep: "LSB", mov: "Labour force survey (Lao Statistics Bureau)"},
	{code: "2.3.b", name: "Number of migrant workers deployed through licensed recruitment agencies", unit: uNum, label: "workers", dir: dInc, acc: aSum,
		base: 9200, first: 10000, last: 16000, pace: 0.85, rep: "MOLSW", mov: "Overseas employment register (MOLSW)"},
	{code: "3.1.a", name: "Number of victims of trafficking identified", unit: uNum, label: "victims", dir: dInc, acc: aSum,
		base: 160, first: 180, last: 260, set: setSexAge, sens: true, rep: "MOPS", mov: "National referral mechanism case records"},
	{code: "3.1.b", name: "Average number of days from identification to referral to a service provider", unit: uNum, label: "days", dir: dDec, acc: aLat,
		base: 21, first: 18, last: 7, pace: 0.85, rep: "MOLSW", mov: "Referral forms in the case files"},
	{code: "3.2.a", name: "Number of victims who received shelter and care services", unit: uNum, label: "victims", dir: dInc, acc: aSum,
		base: 310, first: 320, last: 400, pace: 0.95, set: setSexAge, sens: true, rep: "MOLSW", mov: "Shelter register (MOLSW)"},
	{code: "3.2.b", name: "Percentage of shelters meeting the national minimum standards of care", unit: uPct, label: "%", dir: dInc, acc: aLat,
		base: 0, first: 20, last: 100, pace: 0.6, rep: "MOLSW", mov: "Shelter inspection reports"},
	{code: "3.3.a", name: "Proportion of returnees re-trafficked within 12 months of return", unit: uPct, label: "%", dir: dDec, acc: aLat,
		base: 9.5, first: 8.5, last: 4, pace: 0.8, rep: "MOLSW", mov: "Follow-up records of returned victims"},
	{code: "3.3.b", name: "Number of survivors who completed a reintegration plan", unit: uNum, label: "survivors", dir: dInc, acc: aCum,
		base: 0, first: 80, last: 450, pace: 0.9, set: setSexAge, sens: true, rep: "MOLSW",
		def: "Survivors whose case was closed after all steps of their reintegration plan were completed.", mov: "Case management files"},
	{code: "4.1.a", name: "Number of trafficking cases investigated", unit: uNum, label: "cases", dir: dInc, acc: aSum,
		base: 95, first: 100, last: 150, set: setExploitation, rep: "MOPS", mov: "Police case register (MOPS statistics office)"},
	{code: "4.2.a", name: "Number of traffickers convicted", unit: uNum, label: "persons", dir: dInc, acc: aSum,
		base: 52, first: 55, last: 90, pace: 0.75, set: setExploitation, rep: "PSC", mov: "Court statistics (People's Supreme Court)"},
	{code: "4.2.b", name: "Average days from arrest to trial in trafficking cases", unit: uNum, label: "days", dir: dDec, acc: aLat,
		base: 240, first: 220, last: 150, pace: 0.4, rep: "OSPP", mov: "Prosecution case-tracking sheet"},
	{code: "4.2.c", name: "Conviction rate in trafficking prosecutions", unit: uPct, label: "%", dir: dInc, acc: aLat,
		base: 71, first: 72, last: 80, pace: 0.9, rep: "OSPP", mov: "Prosecution annual statistics"},
	{code: "4.3.a", name: "Number of officials prosecuted for complicity in trafficking", unit: uNum, label: "officials", dir: dInc, acc: aSum,
		base: 0, first: 1, last: 3, pace: 0.7, rep: "OSPP", mov: "Prosecution annual statistics"},
	{code: "5.1.a", name: "Number of Lao victims repatriated from abroad", unit: uNum, label: "victims", dir: dInc, acc: aSum,
		base: 180, first: 200, last: 260, pace: 1.1, set: setSexAge, sens: true, rep: "MOFA", mov: "Repatriation records (MOFA consular department)"},
	{code: "5.1.b", name: "Number of bilateral MoUs on repatriation in force", unit: uNum, label: "MoUs", dir: dInc, acc: aLat,
		base: 2, first: 2, last: 5, pace: 0.6, rep: "MOFA", mov: "Treaty register (MOFA)"},
	{code: "5.2.a", name: "Percentage of regional reporting requests answered on time", unit: uPct, label: "%", dir: dInc, acc: aLat,
		base: 75, first: 80, last: 100, rep: "MOFA", mov: "Correspondence register"},

	// Output indicators, pillar 1.
	{code: "1.1.1.a", name: "Number of NSC-TIP meetings held", unit: uNum, label: "meetings", dir: dInc, acc: aSum,
		base: 3, first: 4, last: 4, mov: "Minutes of NSC-TIP meetings"},
	{code: "1.1.2.a", name: "Number of provinces with a functioning anti-trafficking committee", unit: uNum, label: "provinces", dir: dInc, acc: aCum,
		noBase: true, first: 4, last: 14, pace: 0.75, mov: "Provincial committee minutes",
		def: "Provinces whose committee met at least twice in the last year. Each period reports the provinces that newly meet the definition."},
	{code: "1.1.3.a", name: "Number of NAP review workshops held", unit: uNum, label: "workshops", dir: dInc, acc: aSum,
		base: 1, first: 2, last: 2, mov: "Workshop reports"},
	{code: "1.2.1.a", name: "Decree on the protection of victims of trafficking", unit: uMS, dir: dInc, acc: aLat,
		base: 0, dueY: 2, done: 10, mov: "Official Gazette", steps: []string{"Drafting committee established",
			"First draft consulted with ministries and provinces", "Draft decree submitted to the Government", "Decree adopted by the Government"}},
	{code: "1.2.2.a", name: "Revised decree on recruitment agencies", unit: uMS, dir: dInc, acc: aLat,
		base: 0, dueY: 3, mov: "Official Gazette", steps: []string{"Review of the current decree started",
			"Gap analysis validated", "Draft revision consulted with agencies", "Revised decree adopted"}},
	{code: "1.2.3.a", name: "Anti-trafficking targets included in the national socio-economic development plan", unit: uYN, dir: dInc, acc: aLat,
		base: 0, dueY: 1, done: 7, rep: "NSC-TIP", mov: "National socio-economic development plan"},
	{code: "1.3.1.a", name: "National anti-trafficking database operational", unit: uMS, dir: dInc, acc: aLat,
		base: 0, dueY: 2, mov: "Database audit log", steps: []string{"Requirements agreed by MOPS, OSPP and MOLSW",
			"Software developed and tested", "Pilot in Vientiane Capital and Savannakhet", "Database in use nationwide"}},
	{code: "1.3.1.b", name: "Number of staff trained to use the database", unit: uNum, label: "staff", dir: dInc, acc: aCum,
		base: 0, first: 20, last: 120, pace: 0.6, mov: "Training attendance sheets"},
	{code: "1.3.2.a", name: "Number of annual national reports on trafficking published", unit: uNum, label: "reports", dir: dInc, acc: aSum,
		base: 1, first: 1, last: 1, mov: "Published report"},
	{code: "1.3.3.a", name: "Baseline study on trafficking risks among migrant workers", unit: uMS, dir: dInc, acc: aLat,
		base: 0, dueY: 1, done: 6, mov: "Published study", steps: []string{"Terms of reference approved",
			"Field survey completed", "Study validated and published"}},

	// Output indicators, pillar 2.
	{code: "2.1.1.a", name: "Number of people reached by safe-migration awareness sessions", unit: uNum, label: "people", dir: dInc, acc: aSum,
		base: 18000, first: 20000, last: 30000, pace: 1.15, set: setSexAge, mov: "Session attendance sheets"},
	{code: "2.1.1.b", name: "Number of high-risk districts covered by awareness campaigns", unit: uNum, label: "districts", dir: dInc, acc: aCum,
		base: 0, first: 10, last: 40, mov: "Campaign reports"},
	{code: "2.1.2.a", name: "Number of radio and television spots broadcast", unit: uNum, label: "broadcasts", dir: dInc, acc: aSum,
		noBase: true, noTarget: true, first: 300, last: 400, mov: "Broadcast logs of the stations"},
	{code: "2.1.3.a", name: "Trafficking prevention module in the lower-secondary curriculum", unit: uMS, dir: dInc, acc: aLat,
		base: 0, dueY: 3, mov: "MOES curriculum decision", steps: []string{"Module drafted", "Module piloted in 20 schools",
			"Module approved by MOES", "Module taught in all lower-secondary schools"}},
	{code: "2.1.3.b", name: "Number of teachers trained to teach the prevention module", unit: uNum, label: "teachers", dir: dInc, acc: aCum,
		base: 0, first: 150, last: 1200, pace: 0.7, mov: "Training attendance sheets"},
	{code: "2.1.4.a", name: "Number of community dialogues on forced and cross-border marriage held", unit: uNum, label: "dialogues", dir: dInc, acc: aSum,
		base: 40, first: 50, last: 80, pace: 0.9, mov: "LWU provincial reports"},
	{code: "2.2.1.a", name: "Number of young people at risk who completed vocational training", unit: uNum, label: "people", dir: dInc, acc: aSum,
		base: 900, first: 1000, last: 1500, pace: 0.8, set: setSexAge, mov: "Training centre registers"},
	{code: "2.2.1.b", name: "Number of training graduates placed in jobs", unit: uNum, label: "people", dir: dInc, acc: aSum,
		base: 400, first: 450, last: 900, pace: 0.55, mov: "Job placement records"},
	{code: "2.2.2.a", name: "Percentage of children under five with a birth certificate in target districts", unit: uPct, label: "%", dir: dInc, acc: aLat,
		base: 62, first: 66, last: 85, pace: 0.9, mov: "Civil registration records (MOHA)"},
	{code: "2.2.3.a", name: "Number of children at risk supported to stay in school", unit: uNum, label: "children", dir: dInc, acc: aSum,
		base: 1200, first: 1300, last: 2000, mov: "Scholarship payment lists"},
	{code: "2.3.1.a", name: "Number of recruitment agencies inspected", unit: uNum, label: "agencies", dir: dInc, acc: aSum,
		base: 30, first: 35, last: 60, pace: 0.95, mov: "Inspection reports"},
	{code: "2.3.1.b", name: "Number of recruitment agency licences suspended or revoked", unit: uNum, label: "licences", dir: dInc, acc: aSum,
		base: 3, first: 4, last: 6, pace: 1.3, mov: "MOLSW decisions"},
	{code: "2.3.2.a", name: "Number of migrant resource centres operating", unit: uNum, label: "centres", dir: dInc, acc: aLat,
		base: 1, first: 2, last: 5, pace: 0.8, mov: "Centre monthly reports"},
	{code: "2.3.2.b", name: "Number of people advised at migrant resource centres", unit: uNum, label: "people", dir: dInc, acc: aSum,
		base: 2500, first: 3000, last: 6000, pace: 0.9, mov: "Centre client registers"},
	{code: "2.3.3.a", name: "Number of migrant workers who attended pre-departure orientation", unit: uNum, label: "workers", dir: dInc, acc: aSum,
		base: 6000, first: 6500, last: 10000, pace: 0.75, noEnd: true, mov: "Orientation attendance sheets"},
	{code: "2.3.4.a", name: "Number of workplace inspections in special economic zones", unit: uNum, label: "inspections", dir: dInc, acc: aSum,
		base: 12, first: 16, last: 40, pace: 0.5, mov: "Inspection reports"},

	// Output indicators, pillar 3.
	{code: "3.1.1.a", name: "Standard operating procedures of the national referral mechanism", unit: uMS, dir: dInc, acc: aLat,
		base: 0, dueY: 1, done: 9, mov: "Ministerial decision", steps: []string{"SOP drafted with MOPS, LWU and MOH",
			"SOP endorsed by the NSC-TIP", "SOP adopted by ministerial decision"}},
	{code: "3.1.1.b", name: "Percentage of identified victims referred to services within 7 days", unit: uPct, label: "%", dir: dInc, acc: aLat,
		base: 45, first: 55, last: 90, pace: 0.9, mov: "Referral forms"},
	{code: "3.1.2.a", name: "Number of border police and immigration officers trained in victim identification", unit: uNum, label: "officers", dir: dInc, acc: aSum,
		base: 120, first: 150, last: 250, pace: 1.2, mov: "Training attendance sheets"},
	{code: "3.1.2.b", name: "Percentage of trained officers passing the post-training assessment", unit: uPct, label: "%", dir: dMnt, acc: aLat,
		base: 85, first: 85, last: 85, mov: "Post-training test results"},
	{code: "3.1.3.a", name: "Number of calls to the national hotline 1300", unit: uNum, label: "calls", dir: dInc, acc: aSum,
		base: 2400, first: 2600, last: 4000, pace: 1.1, mov: "Hotline call log"},
	{code: "3.1.3.b", name: "Number of suspected victims referred by the hotline", unit: uNum, label: "persons", dir: dInc, acc: aSum,
		base: 35, first: 40, last: 70, pace: 0.9, set: setSexAge, sens: true, mov: "Hotline referral log"},
	{code: "3.1.4.a", name: "Number of returning migrants screened at border checkpoints", unit: uNum, label: "migrants", dir: dInc, acc: aSum,
		base: 0, first: 2000, last: 8000, pace: 0.7, rep: "MOPS", mov: "Immigration screening records (MOPS)"},
	{code: "3.1.4.b", name: "Number of victims identified through screening at border checkpoints", unit: uNum, label: "victims", dir: dInc, acc: aSum,
		base: 0, first: 20, last: 60, pace: 0.8, set: setSexAge, sens: true, mov: "Screening desk register"},
	{code: "3.2.1.a", name: "Number of victims admitted to the Vientiane transit centre", unit: uNum, label: "victims", dir: dInc, acc: aSum,
		base: 220, first: 230, last: 280, set: setExploitation, sens: true, mov: "Shelter register (MOLSW)"},
	{code: "3.2.1.b", name: "Average length of stay at the transit centre", unit: uNum, label: "days", dir: dDec, acc: aLat,
		base: 30, first: 28, last: 21, pace: 0.9, mov: "Shelter register (MOLSW)"},
	{code: "3.2.2.a", name: "Number of victims who received psychosocial counselling", unit: uNum, label: "victims", dir: dInc, acc: aSum,
		base: 150, first: 170, last: 260, pace: 0.8, set: setSexAge, sens: true, mov: "Hospital counselling records"},
	{code: "3.2.4.a", name: "Minimum standards of care for shelters", unit: uMS, dir: dInc, acc: aLat,
		base: 0, dueY: 1, done: 5, mov: "Ministerial decision", steps: []string{"Draft standards prepared with shelter operators",
			"Standards validated at a national workshop", "Standards adopted by ministerial decision"}},
	{code: "3.3.1.a", name: "Number of survivors who received reintegration grants", unit: uNum, label: "survivors", dir: dInc, acc: aSum,
		base: 80, first: 90, last: 150, pace: 0.95, set: setSexAge, sens: true, mov: "Grant payment lists"},
	{code: "3.3.2.a", name: "Percentage of returned victims followed up for 12 months", unit: uPct, label: "%", dir: dInc, acc: aLat,
		base: 35, first: 45, last: 80, pace: 0.55, mov: "Follow-up records"},
	{code: "3.3.3.a", name: "Number of victims who received legal aid", unit: uNum, label: "victims", dir: dInc, acc: aSum,
		base: 20, first: 25, last: 60, pace: 0.85, set: setSexAge, sens: true, mov: "Legal aid office case files"},
	{code: "3.3.3.b", name: "Number of victims awarded compensation by a court", unit: uNum, label: "victims", dir: dInc, acc: aSum,
		base: 2, first: 3, last: 10, pace: 0.7, sens: true, rep: "PSC", mov: "Court judgements"},

	// Output indicators, pillar 4.
	{code: "4.1.1.a", name: "Number of police investigators trained in financial investigation and digital evidence", unit: uNum, label: "investigators", dir: dInc, acc: aCum,
		base: 0, first: 40, last: 200, mov: "Training attendance sheets"},
	{code: "4.1.2.a", name: "Number of provinces with a specialised anti-trafficking police unit", unit: uNum, label: "provinces", dir: dInc, acc: aLat,
		base: 4, first: 6, last: 12, pace: 0.85, mov: "MOPS orders establishing the units"},
	{code: "4.1.3.a", name: "Number of victims rescued from scam compounds", unit: uNum, label: "victims", dir: dInc, acc: aSum,
		base: 40, first: 60, last: 100, pace: 1.2, set: setNationality, sens: true, mov: "Operation reports (MOPS statistics office)"},
	{code: "4.1.3.b", name: "Number of joint operations conducted", unit: uNum, label: "operations", dir: dInc, acc: aSum,
		base: 4, first: 6, last: 10, mov: "Operation reports"},
	{code: "4.2.1.a", name: "Number of prosecutors and judges trained on the 2015 anti-trafficking law", unit: uNum, label: "people", dir: dInc, acc: aCum,
		base: 0, first: 50, last: 250, pace: 0.9, mov: "Training attendance sheets"},
	{code: "4.2.2.a", name: "Number of child victims who testified using child-friendly procedures", unit: uNum, label: "children", dir: dInc, acc: aSum,
		base: 4, first: 6, last: 16, pace: 0.8, sens: true, mov: "Court hearing records"},
	{code: "4.2.2.b", name: "Number of courts with a child-friendly hearing room", unit: uNum, label: "courts", dir: dInc, acc: aLat,
		base: 1, first: 2, last: 6, pace: 0.5, mov: "Court inventory"},
	{code: "4.2.3.a", name: "Percentage of trafficking cases brought to trial within 6 months of arrest", unit: uPct, label: "%", dir: dInc, acc: aLat,
		base: 30, first: 35, last: 60, pace: 0.4, mov: "Prosecution case-tracking sheet"},
	{code: "4.2.4.a", name: "Number of anonymised trafficking judgements published", unit: uNum, label: "judgements", dir: dInc, acc: aSum,
		noBase: true, noTarget: true, first: 20, last: 40, mov: "Court website"},
	{code: "4.3.1.a", name: "Number of complaints of official complicity investigated", unit: uNum, label: "complaints", dir: dInc, acc: aSum,
		base: 3, first: 4, last: 8, pace: 0.6, mov: "Prosecution complaint register"},
	{code: "4.3.2.a", name: "Code of conduct on trafficking for law-enforcement officers", unit: uMS, dir: dInc, acc: aLat,
		base: 0, dueY: 1, done: 11, mov: "Ministerial order", steps: []string{"Draft code prepared",
			"Code consulted with provincial police", "Code adopted by the Minister of Public Security"}},

	// Output indicators, pillar 5.
	{code: "5.1.1.a", name: "MoU on repatriation with China", unit: uMS, dir: dInc, acc: aLat,
		base: 0, dueY: 2, mov: "Signed MoU", steps: []string{"Draft MoU shared with Chinese counterparts",
			"First negotiation round held", "MoU text agreed", "MoU signed"}},
	{code: "5.1.2.a", name: "Number of cases resolved at bilateral case-management meetings", unit: uNum, label: "cases", dir: dInc, acc: aSum,
		base: 25, first: 30, last: 50, pace: 0.9, mov: "Meeting minutes"},
	{code: "5.1.3.a", name: "Number of consular staff trained on victim assistance", unit: uNum, label: "staff", dir: dInc, acc: aCum,
		base: 0, first: 10, last: 50, pace: 1.1, mov: "Training attendance sheets"},
	{code: "5.1.3.b", name: "Number of Lao victims assisted by consulates abroad", unit: uNum, label: "victims", dir: dInc, acc: aSum,
		base: 120, first: 130, last: 180, set: setSexAge, sens: true, mov: "Consular case records"},
	{code: "5.2.1.a", name: "Number of regional meetings on trafficking attended", unit: uNum, label: "meetings", dir: dInc, acc: aSum,
		base: 6, first: 6, last: 8, mov: "Mission reports"},
	{code: "5.2.2.a", name: "Report on trafficking submitted to the UN treaty bodies", unit: uYN, dir: dInc, acc: aLat,
		base: 0, dueY: 3, mov: "Submission letter"},
	{code: "5.2.3.a", name: "Number of intelligence exchanges through border liaison offices", unit: uNum, label: "exchanges", dir: dInc, acc: aSum,
		base: 40, first: 50, last: 90, pace: 0.85, rep: "MOPS", mov: "Border liaison office logs"},
}
