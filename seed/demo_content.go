package seed

import (
	"naptracker/domain"
)

// demoOrgs are the organisations of the demonstration plan. The development
// partners, the international organisation and the CSO are fictional, so
// that no real donor is credited with invented funding.
var demoOrgs = []orgSpec{
	{"MOLSW", "Ministry of Labour and Social Welfare", domain.OrgMinistry},
	{"MOPS", "Ministry of Public Security", domain.OrgMinistry},
	{"MOJ", "Ministry of Justice", domain.OrgMinistry},
	{"MOFA", "Ministry of Foreign Affairs", domain.OrgMinistry},
	{"MOES", "Ministry of Education and Sports", domain.OrgMinistry},
	{"MOH", "Ministry of Health", domain.OrgMinistry},
	{"MICT", "Ministry of Information, Culture and Tourism", domain.OrgMinistry},
	{"MOHA", "Ministry of Home Affairs", domain.OrgMinistry},
	{"MPI", "Ministry of Planning and Investment", domain.OrgMinistry},
	{"LWU", "Lao Women's Union", domain.OrgAgency},
	{"LYU", "Lao Youth Union", domain.OrgAgency},
	{"OSPP", "Office of the Supreme People's Prosecutor", domain.OrgAgency},
	{"PSC", "People's Supreme Court", domain.OrgAgency},
	{"NSC-TIP", "National Steering Committee on Anti-Human Trafficking (Secretariat)", domain.OrgAgency},
	{"LSB", "Lao Statistics Bureau", domain.OrgAgency},
	{"MSMF", "Mekong Safe Migration Fund", domain.OrgPartner},
	{"NPHR", "Nordic Partnership for Human Rights", domain.OrgPartner},
	{"APJP", "Asia Pacific Justice Programme", domain.OrgPartner},
	{"RMCO", "Regional Migration Cooperation Office", domain.OrgInternational},
	{"FRA", "Friends of Returnees Association", domain.OrgCSO},
}

// slowOrgs are the organisations whose reports tend to come in late or not at all.
var slowOrgs = []string{"MICT", "MOHA", "MOH"}

// treeSpec is a pillar or objective: its dotted code, title and description.
type treeSpec struct {
	code, title, desc string
}

// demoPillars are the five pillars of the demonstration plan.
var demoPillars = []treeSpec{
	{"1", "Policy and coordination", "National and provincial coordination, the legal framework and data on trafficking."},
	{"2", "Prevention", "Awareness, reducing vulnerability and safe labour migration."},
	{"3", "Protection and reintegration", "Identification, referral, care and reintegration of victims."},
	{"4", "Prosecution and law enforcement", "Investigation, prosecution and adjudication of trafficking cases."},
	{"5", "Regional and international cooperation", "Cooperation with neighbouring and destination countries and regional mechanisms."},
}

// demoObjectives are the objectives, each under the pillar its code starts with.
var demoObjectives = []treeSpec{
	{"1.1", "Strengthen national and provincial coordination of anti-trafficking work", ""},
	{"1.2", "Complete the legal and policy framework", ""},
	{"1.3", "Improve data collection, research and reporting on trafficking", ""},
	{"2.1", "Raise public awareness of trafficking risks and safe migration", ""},
	{"2.2", "Reduce the vulnerability of young people and children at risk", ""},
	{"2.3", "Promote safe and regular labour migration", ""},
	{"3.1", "Identify victims early and refer them to services", ""},
	{"3.2", "Provide shelter, care and recovery services that meet minimum standards", ""},
	{"3.3", "Support the lasting reintegration of survivors", ""},
	{"4.1", "Strengthen the investigation of trafficking cases", ""},
	{"4.2", "Improve prosecution and adjudication of trafficking cases", ""},
	{"4.3", "Tackle corruption and complicity in trafficking", ""},
	{"5.1", "Strengthen bilateral cooperation with neighbouring and destination countries", ""},
	{"5.2", "Take an active part in regional and international mechanisms", ""},
}

// fundSpec is a funding line of a demo activity.
type fundSpec struct {
	funder string
	amount float64
	status string
}

// activitySpec is a demo activity. from and to are the quarters it runs
// (0 = first quarter of the plan); pace below 1 means it runs behind;
// cancel is the quarter it is cancelled in (0 = never).
type activitySpec struct {
	code, title, desc string
	lead              string
	sup               []string
	from, to          int
	budget            float64
	fund              []fundSpec
	pace              float64
	cancel            int
	cancelNote        string
	did               []string
}

// Funding statuses, abbreviated for the tables below.
const (
	fPledged   = domain.FundingPledged
	fCommitted = domain.FundingCommitted
	fDisbursed = domain.FundingDisbursed
)

// demoActivities are the activities, each under the objective its code starts with.
var demoActivities = []activitySpec{
	{code: "1.1.1", title: "Hold quarterly meetings of the National Steering Committee on Anti-Human Trafficking",
		desc: "The NSC-TIP secretariat prepares, convenes and follows up the quarterly committee meetings.",
		lead: "NSC-TIP", sup: []string{"MOPS", "MOLSW"}, from: 0, to: 19, budget: 24000,
		did: []string{"Quarterly NSC-TIP meeting held and decisions circulated", "NSC-TIP endorsed the provincial action plans"}},
	{code: "1.1.2", title: "Establish and support provincial anti-trafficking committees in all provinces",
		desc: "Set up committees chaired by the vice-governor, train their members and fund two meetings a year.",
		lead: "NSC-TIP", sup: []string{"MOHA", "LWU"}, from: 0, to: 19, budget: 180000, pace: 0.8,
		fund: []fundSpec{{"NPHR", 90000, fCommitted}},
		did:  []string{"New provincial committees set up and members trained", "Committee meetings held in Savannakhet, Champasak and Bokeo"}},
	{code: "1.1.3", title: "Organise the mid-year and annual reviews of the National Plan of Action",
		desc: "Review workshops with lead ministries, provinces and development partners.",
		lead: "NSC-TIP", sup: []string{"MOFA"}, from: 0, to: 19, budget: 30000,
		fund: []fundSpec{{"NPHR", 15000, fDisbursed}},
		did:  []string{"Review workshop held with all lead ministries", "Review report shared with development partners"}},
	{code: "1.2.1", title: "Draft the decree implementing the victim-protection provisions of the 2015 Law on Anti-Human Trafficking",
		desc: "A drafting committee of MOJ, OSPP and MOLSW prepares the decree and consults provinces.",
		lead: "MOJ", sup: []string{"OSPP", "MOLSW"}, from: 0, to: 11, budget: 45000,
		fund: []fundSpec{{"APJP", 30000, fCommitted}},
		did:  []string{"Drafting committee met twice", "Consultations held with provincial justice departments"}},
	{code: "1.2.2", title: "Review labour recruitment regulations to close loopholes used by traffickers",
		desc: "Revise the decree on recruitment agencies: licensing, fees charged to workers and sanctions.",
		lead: "MOLSW", sup: []string{"MOJ", "MOPS"}, from: 4, to: 15, budget: 20000, pace: 0.7,
		did: []string{"Gaps in the recruitment decree analysed", "Consultation held with licensed recruitment agencies"}},
	{code: "1.2.3", title: "Include anti-trafficking targets in the national socio-economic development plan",
		desc: "Work with MPI so that trafficking targets and budget lines appear in the national plan.",
		lead: "MPI", sup: []string{"NSC-TIP"}, from: 0, to: 7, budget: 0,
		did: []string{"Proposed targets sent to MPI", "Targets discussed in the plan's drafting committee"}},
	{code: "1.3.1", title: "Set up a national anti-trafficking database shared by police, prosecution and victim services",
		desc: "One case database with role-based access for MOPS, OSPP and MOLSW, replacing paper registers.",
		lead: "NSC-TIP", sup: []string{"MOPS", "OSPP", "MOLSW"}, from: 0, to: 15, budget: 150000, pace: 0.6,
		fund: []fundSpec{{"MSMF", 60000, fPledged}, {"APJP", 50000, fCommitted}},
		did:  []string{"Database requirements agreed with the three agencies", "Pilot data entry in Vientiane Capital and Savannakhet"}},
	{code: "1.3.2", title: "Publish an annual national report on trafficking in persons",
		desc: "Compile the data of all ministries into one public annual report.",
		lead: "NSC-TIP", sup: []string{"LSB"}, from: 0, to: 19, budget: 12000,
		did: []string{"Data requests sent to all ministries", "Annual report drafted and circulated for comments"}},
	{code: "1.3.3", title: "Conduct a baseline study of trafficking risks among migrant workers",
		desc: "Household survey in six provinces on migration channels, debts and exploitation.",
		lead: "MOLSW", sup: []string{"LSB", "NSC-TIP"}, from: 0, to: 6, budget: 60000,
		fund: []fundSpec{{"MSMF", 60000, fDisbursed}},
		did:  []string{"Survey questionnaire tested", "Field survey carried out in six provinces"}},
	{code: "2.1.1", title: "Run safe-migration awareness campaigns in high-risk provinces",
		desc: "Village meetings, school sessions and market events in Savannakhet, Champasak, Bokeo, Luang Namtha and Oudomxay.",
		lead: "MOLSW", sup: []string{"LWU", "LYU", "MICT"}, from: 0, to: 19, budget: 220000, pace: 1.1,
		fund: []fundSpec{{"MSMF", 150000, fCommitted}},
		did:  []string{"Awareness sessions held in target villages", "Campaign materials printed in Lao, Hmong and Khmu"}},
	{code: "2.1.2", title: "Broadcast radio and television spots on trafficking in Lao and ethnic languages",
		desc: "Produce spots with national and provincial radio and Lao National Television.",
		lead: "MICT", sup: []string{"LWU"}, from: 0, to: 19, budget: 65000,
		did: []string{"Radio spots broadcast on provincial stations", "Television spot produced with Lao National Television"}},
	{code: "2.1.3", title: "Integrate trafficking prevention into the lower-secondary curriculum",
		desc: "Develop a prevention module, pilot it and train teachers to teach it.",
		lead: "MOES", sup: []string{"LYU"}, from: 0, to: 17, budget: 80000, pace: 0.8,
		fund: []fundSpec{{"NPHR", 40000, fPledged}},
		did:  []string{"Prevention module drafted with teacher-training colleges", "Teachers trained on the prevention module"}},
	{code: "2.1.4", title: "Hold community dialogues on forced and cross-border marriage in northern provinces",
		desc: "Dialogues with village leaders, parents and young women on brokered marriages abroad.",
		lead: "LWU", sup: []string{"MOHA"}, from: 0, to: 19, budget: 50000,
		fund: []fundSpec{{"MSMF", 30000, fCommitted}},
		did:  []string{"Community dialogues held in Luang Namtha and Oudomxay", "Village leaders trained to facilitate dialogues"}},
	{code: "2.2.1", title: "Provide vocational training and job placement for young people at risk",
		desc: "Short courses with employers in Vientiane and the provinces, followed by job placement.",
		lead: "MOLSW", sup: []string{"LYU"}, from: 0, to: 19, budget: 300000, pace: 0.85,
		fund: []fundSpec{{"MSMF", 100000, fPledged}, {"RMCO", 50000, fCommitted}},
		did:  []string{"Vocational courses completed in three provinces", "Employers' job fair held in Vientiane"}},
	{code: "2.2.2", title: "Register births and issue identity documents in remote villages",
		desc: "Mobile registration teams visit remote villages in high-risk districts.",
		lead: "MOHA", sup: []string{"MOPS"}, from: 0, to: 19, budget: 90000,
		did: []string{"Mobile registration teams visited remote villages", "Village registrars trained"}},
	{code: "2.2.3", title: "Support children at risk of dropping out to stay in school",
		desc: "Scholarships and school meals for children from families at risk of unsafe migration.",
		lead: "MOES", sup: []string{"LWU"}, from: 0, to: 19, budget: 70000,
		did: []string{"Scholarships paid for the school term", "School meals provided in target schools"}},
	{code: "2.3.1", title: "License and inspect private recruitment agencies",
		desc: "Regular inspections of recruitment agencies, with sanctions for illegal fees and deception.",
		lead: "MOLSW", sup: []string{"MOPS"}, from: 0, to: 19, budget: 40000,
		did: []string{"Recruitment agencies inspected", "Inspection checklist updated"}},
	{code: "2.3.2", title: "Open migrant resource centres in five provinces",
		desc: "Centres give prospective migrants advice on regular channels, contracts and their rights.",
		lead: "MOLSW", sup: []string{"LWU", "LYU"}, from: 0, to: 19, budget: 160000,
		fund: []fundSpec{{"NPHR", 80000, fCommitted}},
		did:  []string{"Migrant resource centre staff trained", "Migrant resource centres advised prospective migrants"}},
	{code: "2.3.3", title: "Give pre-departure orientation to migrant workers going to Thailand",
		desc: "One-day orientation on contracts, rights, remittances and the hotline before departure.",
		lead: "MOLSW", from: 0, to: 19, budget: 35000, pace: 0.85,
		did: []string{"Pre-departure sessions held in Vientiane and Savannakhet", "Orientation handbook updated"}},
	{code: "2.3.4", title: "Inspect workplaces in special economic zones for forced labour",
		desc: "Joint labour and police inspections of employers in special economic zones.",
		lead: "MOLSW", sup: []string{"MOPS", "MPI"}, from: 0, to: 19, budget: 45000, pace: 0.6,
		did: []string{"Joint inspections carried out in the Golden Triangle zone", "Inspectors trained on forced-labour indicators"}},
	{code: "3.1.1", title: "Establish a national referral mechanism with standard operating procedures",
		desc: "Agree who does what from identification to reintegration, with referral forms and timelines.",
		lead: "MOLSW", sup: []string{"MOPS", "LWU", "MOH"}, from: 0, to: 9, budget: 70000,
		fund: []fundSpec{{"NPHR", 50000, fCommitted}},
		did:  []string{"Referral procedures drafted with partner agencies", "Referral forms tested in two provinces"}},
	{code: "3.1.2", title: "Train border police and immigration officers on victim identification",
		desc: "Training at the main checkpoints: Friendship Bridge, Savannakhet, Boten and Houayxay.",
		lead: "MOPS", sup: []string{"MOLSW", "MOFA"}, from: 0, to: 19, budget: 110000, pace: 1.1,
		fund: []fundSpec{{"APJP", 60000, fDisbursed}},
		did:  []string{"Identification training held at border checkpoints", "Pocket guide on victim identification distributed"}},
	{code: "3.1.3", title: "Operate the national trafficking hotline 1300",
		desc: "Free 24-hour hotline answering calls in Lao and referring cases to police and services.",
		lead: "LWU", sup: []string{"MOPS"}, from: 0, to: 19, budget: 96000,
		fund: []fundSpec{{"MSMF", 48000, fCommitted}},
		did:  []string{"Hotline operated 24 hours a day", "Hotline counsellors trained on referral"}},
	{code: "3.1.4", title: "Screen returning migrants for signs of trafficking at the main border checkpoints",
		desc: "Screening desks with social workers at checkpoints where deported migrants return.",
		lead: "MOLSW", sup: []string{"MOPS"}, from: 0, to: 19, budget: 55000, pace: 0.8,
		did: []string{"Screening desks staffed at the Friendship Bridge and Savannakhet", "Screening questionnaire revised"}},
	{code: "3.2.1", title: "Run the Vientiane transit centre for returned victims",
		desc: "Temporary shelter, family tracing and case management for returned victims.",
		lead: "MOLSW", sup: []string{"LWU", "MOH"}, from: 0, to: 19, budget: 250000,
		fund: []fundSpec{{"MSMF", 120000, fDisbursed}},
		did:  []string{"Transit centre sheltered returned victims", "Family tracing completed for most residents"}},
	{code: "3.2.2", title: "Provide medical and psychosocial care to victims",
		desc: "Health checks, treatment and counselling through provincial hospitals.",
		lead: "MOH", sup: []string{"MOLSW"}, from: 0, to: 19, budget: 85000, pace: 0.8,
		did: []string{"Counselling sessions provided to victims", "Hospital staff trained on trauma-informed care"}},
	{code: "3.2.3", title: "Build a transit shelter at the Boten border crossing",
		desc: "A shelter for victims returning from China, run with the provincial welfare office.",
		lead: "MOLSW", sup: []string{"MOPS"}, from: 2, to: 9, budget: 180000, pace: 0.6, cancel: 6,
		cancelNote: "Activity cancelled by the NSC-TIP: the land allocation was withdrawn; victims will be hosted in rented premises instead.",
		did:        []string{"Site visits held with the provincial authorities", "Construction tender prepared"}},
	{code: "3.2.4", title: "Adopt minimum standards of care for shelters",
		desc: "Standards for state and non-governmental shelters, with a checklist for inspections.",
		lead: "MOLSW", sup: []string{"LWU", "FRA"}, from: 1, to: 5, budget: 25000,
		did: []string{"Draft standards prepared with shelter operators", "Validation workshop held"}},
	{code: "3.3.1", title: "Give reintegration grants and vocational training to survivors",
		desc: "Small business grants, training and follow-up for survivors returning to their villages.",
		lead: "MOLSW", sup: []string{"LWU", "FRA"}, from: 0, to: 19, budget: 140000,
		fund: []fundSpec{{"NPHR", 70000, fDisbursed}},
		did:  []string{"Reintegration grants paid to survivors", "Survivors completed vocational courses"}},
	{code: "3.3.2", title: "Follow up returned victims for 12 months after their return",
		desc: "Social workers visit survivors at home at 3, 6 and 12 months.",
		lead: "MOLSW", sup: []string{"LWU"}, from: 0, to: 19, budget: 60000, pace: 0.7,
		did: []string{"Follow-up visits made in the provinces", "Follow-up records entered in the case files"}},
	{code: "3.3.3", title: "Provide legal aid to victims claiming compensation",
		desc: "Lawyers of the legal aid offices represent victims in court and in compensation claims.",
		lead: "MOJ", sup: []string{"LWU"}, from: 0, to: 19, budget: 40000,
		fund: []fundSpec{{"APJP", 25000, fCommitted}},
		did:  []string{"Victims represented by legal aid lawyers", "Legal aid lawyers trained on compensation claims"}},
	{code: "4.1.1", title: "Train police investigators in financial investigation and digital evidence",
		desc: "Courses on following the money and on evidence from phones and social media.",
		lead: "MOPS", sup: []string{"OSPP"}, from: 0, to: 19, budget: 90000,
		fund: []fundSpec{{"APJP", 60000, fCommitted}},
		did:  []string{"Investigators completed the digital-evidence course", "Financial investigation course held"}},
	{code: "4.1.2", title: "Establish specialised anti-trafficking police units in high-risk provinces",
		desc: "Units with trained investigators, vehicles and a case-tracking register.",
		lead: "MOPS", sup: []string{"MOHA"}, from: 0, to: 19, budget: 120000, pace: 0.85,
		did: []string{"Unit staff appointed by provincial police", "Equipment delivered to the new units"}},
	{code: "4.1.3", title: "Conduct joint operations against online recruitment and scam-compound trafficking",
		desc: "Operations with neighbouring countries against online recruiters and compounds in special economic zones.",
		lead: "MOPS", sup: []string{"MOFA", "MICT"}, from: 0, to: 19, budget: 75000, pace: 1.1,
		did: []string{"Joint operation carried out in the special economic zone", "Online recruitment accounts reported and closed"}},
	{code: "4.2.1", title: "Train prosecutors and judges on the 2015 Law on Anti-Human Trafficking",
		desc: "Joint training of prosecutors and judges on elements of the offence, evidence and victims' rights.",
		lead: "OSPP", sup: []string{"PSC", "MOJ"}, from: 0, to: 19, budget: 85000,
		fund: []fundSpec{{"APJP", 50000, fDisbursed}},
		did:  []string{"Joint training held for prosecutors and judges", "Training manual updated with recent cases"}},
	{code: "4.2.2", title: "Introduce child-friendly and victim-sensitive court procedures",
		desc: "Hearing rooms with video links and support persons for child victims and witnesses.",
		lead: "PSC", sup: []string{"OSPP", "LWU"}, from: 0, to: 19, budget: 60000, pace: 0.6,
		fund: []fundSpec{{"NPHR", 30000, fPledged}},
		did:  []string{"Child-friendly hearing room equipped", "Judges trained on interviewing child witnesses"}},
	{code: "4.2.3", title: "Fast-track trafficking cases through specialised prosecutors",
		desc: "Designated prosecutors in each high-risk province handle trafficking cases with priority.",
		lead: "OSPP", sup: []string{"PSC"}, from: 0, to: 19, budget: 20000, pace: 0.6,
		did: []string{"Specialised prosecutors designated", "Case-tracking sheet introduced"}},
	{code: "4.2.4", title: "Publish anonymised trafficking judgements",
		desc: "A public collection of anonymised judgements to support consistent sentencing.",
		lead: "PSC", sup: []string{"MOJ"}, from: 8, to: 19, budget: 0,
		did: []string{"Judgements anonymised and reviewed", "Judgements published on the court website"}},
	{code: "4.3.1", title: "Investigate officials suspected of complicity in trafficking",
		desc: "Complaints of complicity are investigated by the prosecutor's office with the police inspectorate.",
		lead: "OSPP", sup: []string{"MOPS"}, from: 0, to: 19, budget: 15000, pace: 0.7,
		did: []string{"Complaints of complicity investigated", "Complaint procedure publicised"}},
	{code: "4.3.2", title: "Adopt a code of conduct on trafficking for law-enforcement officers",
		desc: "A code of conduct with disciplinary measures for officers involved in trafficking.",
		lead: "MOPS", sup: []string{"MOJ"}, from: 4, to: 11, budget: 10000, pace: 0.8,
		did: []string{"Draft code of conduct prepared", "Draft discussed with provincial police commanders"}},
	{code: "5.1.1", title: "Negotiate memoranda of understanding on repatriation with neighbouring countries",
		desc: "New or renewed MoUs on the return and reintegration of victims, starting with China.",
		lead: "MOFA", sup: []string{"MOLSW", "MOPS"}, from: 2, to: 19, budget: 40000, pace: 0.7,
		did: []string{"Negotiation round held", "Draft MoU text exchanged with counterparts"}},
	{code: "5.1.2", title: "Hold case-management meetings with Thai and Chinese counterparts",
		desc: "Regular meetings to resolve pending repatriation and prosecution cases.",
		lead: "MOPS", sup: []string{"MOFA"}, from: 0, to: 19, budget: 36000,
		fund: []fundSpec{{"APJP", 20000, fCommitted}},
		did:  []string{"Case-management meeting held with Thai counterparts", "Pending repatriation cases reviewed with Chinese counterparts"}},
	{code: "5.1.3", title: "Train consular staff in Thailand, China and Malaysia on victim assistance",
		desc: "Consular staff learn to identify victims, issue travel documents and arrange returns.",
		lead: "MOFA", sup: []string{"MOLSW"}, from: 0, to: 19, budget: 45000,
		fund: []fundSpec{{"NPHR", 25000, fCommitted}, {"RMCO", 10000, fDisbursed}},
		did:  []string{"Consular staff trained in Bangkok", "Consular guidelines on victim assistance issued"}},
	{code: "5.2.1", title: "Take part in ASEAN and COMMIT meetings on trafficking",
		desc: "Delegations to regional meetings and progress reports under ACTIP and the COMMIT process.",
		lead: "MOFA", sup: []string{"NSC-TIP"}, from: 0, to: 19, budget: 18000,
		did: []string{"Delegation attended the regional senior officials' meeting", "Progress report submitted to the regional secretariat"}},
	{code: "5.2.2", title: "Prepare Lao PDR's report on trafficking to the UN treaty bodies",
		desc: "Compile information from all ministries for the periodic treaty-body report.",
		lead: "MOFA", sup: []string{"MOJ"}, from: 8, to: 15, budget: 10000, pace: 0.8,
		did: []string{"Information requests sent to ministries", "Draft report chapter on trafficking prepared"}},
	{code: "5.2.3", title: "Exchange intelligence through border liaison offices",
		desc: "Border liaison offices with Thailand and China exchange information on suspected traffickers.",
		lead: "MOPS", sup: []string{"MOFA"}, from: 0, to: 19, budget: 30000,
		did: []string{"Information exchanged through the border liaison offices", "Liaison officers met their counterparts"}},
}
