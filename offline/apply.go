package offline

import (
	"context"
	"errors"
	"slices"
	"time"

	"naptracker/domain"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// ApplyOptions say how to save the accepted rows of an upload.
type ApplyOptions struct {
	// Submit submits every saved row that is complete, as the grid's
	// "save and submit" does; otherwise the rows are saved as drafts.
	Submit bool
	// Expect lists the codes (CODE@PERIOD in a file of a range, as
	// Preview.Codes) the user saw as "will save" in the preview
	// they confirmed; when the preview made inside the transaction
	// differs, nothing is written (KindChanged). Nil skips the check
	// (the command line, which previews and applies at once).
	Expect []string
	// FileName is recorded in the audit log with the file's SHA-256.
	FileName string
}

// Outcome is what Apply did.
type Outcome struct {
	*Preview
	Saved, Submitted []string
}

// Apply saves the rows of the file that the preview accepts, in one
// transaction: each through models.SaveValue (and models.TransitionValue
// to submit), the grid's own checks, then one audit entry naming the file
// by its SHA-256. Any failure rolls everything back. A file whose rows are
// all unchanged (uploaded again) writes nothing at all.
func Apply(ctx context.Context, db *gorm.DB, actor domain.Actor, scope domain.Scope, f *File, o ApplyOptions, now time.Time) (*Outcome, error) {
	out, who := &Outcome{}, domain.Caller{Actor: actor, Scope: scope, Now: now}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p, err := MakePreview(ctx, tx, scope, f, now)
		if err != nil {
			return err
		}
		out.Preview = p
		if o.Expect != nil && !sameSet(p.Codes(WillSave), o.Expect) {
			return refuse(KindChanged, "offline.err.preview_changed", nil)
		}
		for i := range p.Rows {
			r := &p.Rows[i]
			if r.Status != WillSave {
				continue
			}
			target := reporting.ValueTarget{Plan: p.Plan.Code, Indicator: r.Code, Period: r.Period}
			in := r.item.Input
			in.Version = r.item.Version
			v, err := reporting.SaveValue(ctx, tx, who, target, in)
			if err != nil {
				return changed(err)
			}
			out.Saved = append(out.Saved, p.key(r))
			complete := v.Value != nil && (r.grid.Set == nil || len(in.Disaggregation) > 0)
			if o.Submit && complete && v.Status == domain.StatusDraft {
				if _, err := reporting.TransitionValue(ctx, tx, who, target, reporting.ActionSubmit, v.Version, ""); err != nil {
					return changed(err)
				}
				out.Submitted = append(out.Submitted, p.key(r))
			}
		}
		if len(out.Saved) == 0 {
			return nil
		}
		return domain.Audit(tx, actor, "values.import", "offline_template", nil, &p.Plan.ID, nil, map[string]any{
			"sha256": f.SHA256, "file": o.FileName, "organisation": p.Org.Acronym, "period": f.Period,
			"generated": f.Generated, "saved": out.Saved, "submitted": out.Submitted,
		}, "")
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// changed turns a refusal of the models while applying (a colleague saved
// or submitted meanwhile) into the refusal of the whole file.
func changed(err error) error {
	var ve *domain.ValidationError
	if errors.Is(err, domain.ErrStale) || errors.Is(err, domain.ErrLocked) || errors.Is(err, domain.ErrForbidden) || errors.As(err, &ve) {
		return refuse(KindChanged, "offline.err.preview_changed", err)
	}
	return err
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
