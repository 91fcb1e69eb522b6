package domain

import "time"

// Workflow statuses of indicator values and activity updates.
const (
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
	StatusApproved  = "approved"
	StatusReturned  = "returned"
)

// Activity progress statuses reported in an activity update.
const (
	ProgressNotStarted = "not_started"
	ProgressOnTrack    = "on_track"
	ProgressDelayed    = "delayed"
	ProgressCompleted  = "completed"
	ProgressCancelled  = "cancelled"
)

// ProgressStatuses lists the activity progress statuses in display order.
var ProgressStatuses = []string{ProgressNotStarted, ProgressOnTrack, ProgressDelayed, ProgressCompleted, ProgressCancelled}

// Workflow holds the who-and-when of each workflow step, shared by indicator
// values and activity updates.
type Workflow struct {
	Status        string
	Version       int
	CreatedByID   *int64
	UpdatedByID   *int64
	SubmittedAt   *time.Time
	SubmittedByID *int64
	ApprovedAt    *time.Time
	ApprovedByID  *int64
	ReturnedAt    *time.Time
	ReturnedByID  *int64
	ReturnComment string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// IndicatorValue is what an organisation reports for an indicator in a period.
type IndicatorValue struct {
	ID          int64
	IndicatorID int64
	PeriodID    int64
	Value       *float64
	TextValue   string
	Narrative   string
	Workflow    `gorm:"embedded"`
	Breakdown   []ValueBreakdown `gorm:"foreignKey:ValueID"`
}

// ValueBreakdown is one cell of a disaggregated value; Cell names one
// category per dimension, such as "sex=female;age=child".
type ValueBreakdown struct {
	ValueID int64  `gorm:"primaryKey;autoIncrement:false"`
	Cell    string `gorm:"primaryKey"`
	Value   float64
}

// UpdateContent is what an activity update reports: the progress status,
// the percent complete, what was achieved and what stood in the way, the
// next steps and the expenditure. The update, its input and its snapshot
// all hold it.
type UpdateContent struct {
	Progress        string
	PercentComplete int
	Achievements    string
	Challenges      string
	NextSteps       string
	Expenditure     float64
}

// ActivityUpdate is the lead organisation's report on an activity for a period.
type ActivityUpdate struct {
	ID            int64
	ActivityID    int64
	PeriodID      int64
	UpdateContent `gorm:"embedded"`
	Workflow      `gorm:"embedded"`
}

// ContributionNote is a supporting organisation's note on an activity for a period.
type ContributionNote struct {
	ID             int64
	ActivityID     int64
	PeriodID       int64
	OrganisationID int64
	Note           string
	Version        int
	CreatedByID    *int64
	UpdatedByID    *int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Evidence kinds.
const (
	EvidenceFile = "file"
	EvidenceLink = "link"
)

// Evidence supports a value or an update: an uploaded file (its bytes live in
// EvidenceBlob, so that every instance serves the same files) or a link.
type Evidence struct {
	ID               int64
	IndicatorValueID *int64
	ActivityUpdateID *int64
	Kind             string
	Title            string
	URL              string `gorm:"column:url"`
	Filename         string
	ContentType      string
	SizeBytes        int64
	SHA256           string `gorm:"column:sha256"`
	UploadedByID     *int64
	CreatedAt        time.Time
}

// TableName keeps the singular table name.
func (Evidence) TableName() string { return "evidence" }

// EvidenceBlob holds the bytes of an uploaded evidence file.
type EvidenceBlob struct {
	EvidenceID int64 `gorm:"primaryKey;autoIncrement:false"`
	Content    []byte
}

// Comment is one message in the thread of a value or an update.
type Comment struct {
	ID               int64
	IndicatorValueID *int64
	ActivityUpdateID *int64
	AuthorID         int64
	Body             string
	CreatedAt        time.Time
}
