"""The release page and its charts (see `write.py`). Modules: `read` (the rows of the public
tables the page reads), `words` (codes as words, colours), `figures` (figures, headings,
captions), a module per section (`coverage`, `deaths`, `crimes`, `prosecutions`), `charts`
(Vega-Lite specs with Altair), `render` (SVG, PNG and the downloads with vl-convert) and
`write` (the page from the templates in `templates/page/`: `write.write_page`)."""
