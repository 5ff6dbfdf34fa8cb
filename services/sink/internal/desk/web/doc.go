// Package web serves the claim desk: one read-only page over the sink's
// store with the relevant articles newest first (filterable by date,
// outlet, tag, place, speaker, speaker kind and role, topic, unit and
// language, names by words; each claim highlighted in the text), the
// claims that recur across outlets (the claim, how many outlets carried
// it, the first one, the original speaker), and a chart per topic and
// unit (value over time, one point per claim, ranges drawn as ranges, one
// series per claim group named in a legend with its speakers and
// outlets).
//
// The page is rendered on the server and is complete without JavaScript:
// filters are a GET form, charts are inline SVG with native tooltips and
// a table of their points, members fold with <details>. assets/app.js
// only adds a nicer tooltip. Templates, styles and script are embedded
// with go:embed; nothing is loaded from elsewhere.
//
// Files by behaviour:
//
//	web.go           Server: the query, the page's view built from a deskdb.Store, Mount
//	text.go          claims highlighted in the article text, by their byte offsets
//	chart.go         a series laid out as an SVG chart (scales, ticks, ranges, hover text)
//	assets/          page.html (html/template), app.css, app.js; embedded with go:embed
//
// Tests: web_test.go reads the HTML as a browser without JavaScript gets
// it; browser_test.go drives Debian's chromium (chromedp) and saves
// screenshots under testdata/artifacts (ignored by git). Both fill a
// SQLite store from ../ledger/testdata.
package web
