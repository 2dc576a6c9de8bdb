package demo

import (
	"context"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// The demo's postings (张贴): the fees of every term must be posted on the
// school's bulletin board (its catalogue says so, as the rules on fee
// publicity do), and clerks post most items that name the board on the day
// they publish them; a few they forget, so the bureau's dashboard shows
// less than all. Nothing is posted after now or before publication.

// paperCatalogue is the catalogue item whose obligations a posting meets.
const paperCatalogue = "fees"

// requirePaper makes the school's fee item name the bulletin board, so its
// obligations are met only when the posting is recorded.
func requirePaper(ctx context.Context, db *store.DB, schoolID int64, principal *gongkai.Actor) error {
	cat, err := db.FindCatalogue(ctx, schoolID)
	if err != nil {
		return err
	}
	for _, c := range cat {
		if c.Code == paperCatalogue && c.Channel != gongkai.ChannelBoard {
			c.Channel = gongkai.ChannelBoard
			return db.SaveCatalogueItem(ctx, schoolID, principal, &c)
		}
	}
	return nil
}

// boardPlaces are where the schools' bulletin boards stand.
var boardPlaces = []string{"教学楼一楼校务公开栏", "校门口校务公开栏", "行政楼大厅公开栏"}

// postsOnPaper reports whether the clerk posts the item on the board: every
// item of the fee catalogue, and five in six of the others that name it.
func postsOnPaper(it ItemSeed) bool {
	named := false
	for _, c := range it.Channels {
		named = named || c == gongkai.ChannelBoard
	}
	return named && (it.Catalogue == paperCatalogue || hash64(it.Key)%6 != 0)
}

// postOnPaper records the item's posting on the board five minutes after
// its publication, by its clerk.
func postOnPaper(ctx context.Context, db *store.DB, school *gongkai.School, id int64, clerk *gongkai.Actor, it ItemSeed, clock *time.Time) error {
	if !postsOnPaper(it) || it.Published.IsZero() {
		return nil
	}
	*clock = clock.Add(5 * time.Minute)
	p := &gongkai.Posting{Channel: gongkai.ChannelBoard, Date: *clock, Place: boardPlaces[hash64(school.Slug)%uint64(len(boardPlaces))], By: clerk.DisplayName}
	return db.RecordPosting(ctx, school.ID, id, clerk, p)
}
