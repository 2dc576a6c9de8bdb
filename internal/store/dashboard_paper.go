package store

import (
	"context"
	"fmt"

	"gongkai"
)

// PaperFigures count a school's items first published in a period that are
// still on the record (not withdrawn), and how many of them were also
// posted on paper: a posting on the 公开栏 recorded and not voided
// (gongkai.ChannelMetAt of gongkai.ChannelBoard).
type PaperFigures struct {
	Published, Posted int
}

// Share is the share posted on paper in [0, 1], or -1 with nothing published.
func (p PaperFigures) Share() float64 {
	if p.Published == 0 {
		return -1
	}
	return float64(p.Posted) / float64(p.Published)
}

// PaperOf returns the paper figures of the period.
func (s *SchoolFigures) PaperOf(p DashPeriod) PaperFigures {
	for i, x := range DashPeriods {
		if x == p {
			return s.Paper[i]
		}
	}
	return PaperFigures{}
}

// paper counts each school's published items of each period and those
// also posted on paper, in one query.
func (d *dashboard) paper(ctx context.Context) error {
	type span struct {
		k        int
		from, to int64
	}
	var spans []span
	var from, to int64
	for i, p := range DashPeriods {
		f, t, _ := p.Bounds(d.now)
		sp := span{i, ms(f), ms(t.AddDate(0, 0, 1))}
		spans = append(spans, sp)
		if i == 0 || sp.from < from {
			from = sp.from
		}
		to = max(to, sp.to)
	}
	rows, err := d.db.read.QueryContext(ctx, `SELECT x.school_id, x.published_at,
		CASE WHEN EXISTS (SELECT 1 FROM postings p WHERE p.school_id = x.school_id AND p.disclosure_id = x.id AND p.channel = $4 AND p.voided_at = 0) THEN 1 ELSE 0 END
		FROM disclosures x JOIN schools s ON s.id = x.school_id
		WHERE s.bureau_id = $1 AND x.state IN ($5, $6, $7) AND x.published_at >= $2 AND x.published_at < $3`,
		d.bureauID, from, to, string(gongkai.ChannelBoard), string(gongkai.StatePublished), string(gongkai.StateClosed), string(gongkai.StateArchived))
	if err != nil {
		return fmt.Errorf("store: paper postings of bureau %d: %w", d.bureauID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var school, published int64
		var posted int
		if err := rows.Scan(&school, &published, &posted); err != nil {
			return err
		}
		i, ok := d.index[school]
		if !ok {
			continue
		}
		for _, sp := range spans {
			if published >= sp.from && published < sp.to {
				pf := &d.out[i].Paper[sp.k]
				pf.Published++
				pf.Posted += posted
			}
		}
	}
	return rows.Err()
}
