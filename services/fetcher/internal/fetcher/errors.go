package fetcher

import "errors"

// ErrNoFeeds is returned when the service is started without a feeds file.
var ErrNoFeeds = errors.New("fetcher: no feeds: give --feeds FILE (YAML or OPML) or NEWSFLOW_FETCHER_FEEDS")
