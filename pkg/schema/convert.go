package schema

// Tagged builds the tagged article from a cleaned one; the tagger fills in
// relevance, tags, claims and entities.
func (a *ArticleCleanedV1) Tagged() ArticleTaggedV1 {
	return ArticleTaggedV1{
		SchemaVersion: Version,
		ID:            a.ID,
		URL:           a.URL,
		CanonicalURL:  a.CanonicalURL,
		ContentHash:   a.ContentHash,
		Item:          a.Item,
		Title:         a.Title,
		Byline:        a.Byline,
		Authors:       a.Authors,
		PublishedAt:   a.PublishedAt,
		ModifiedAt:    a.ModifiedAt,
		SiteName:      a.SiteName,
		Language:      a.Language,
		Description:   a.Description,
		Image:         a.Image,
		Text:          a.Text,
		Tags:          []Tag{},
		Claims:        []Claim{},
		Stages:        a.Stages,

		PublishedSource: a.PublishedSource,
		ModifiedSource:  a.ModifiedSource,
		Extraction:      a.Extraction,
	}
}
