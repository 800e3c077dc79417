"""The statistics of an aggregate source: its published cells, reconciled breakdown by
breakdown, and every margin of them (data model invariants 1 and 5). The entry point is
`breakdowns.reconcile_source`; `cube` keys the cells and says which breakdown owns each,
`repeats` settles repeated identical rows, `margins` computes and reconciles margins, `derived`
derives a dimension that follows another.

An aggregate source (GLOTIP, FBI, StatCan, SESNSP) publishes cells, not people, often in
several breakdowns that count the same people again: GLOTIP's Total table (sex x age), its
citizenship table and its form-of-exploitation table (form x sex x age). Only the cells the
source published are authoritative; every other cell is computed.

- **Breakdowns stay apart.** Each breakdown is reconciled on its own, together with the totals
  every breakdown of the source shares (the *base*: cells whose dimensions are `all` except
  the source's *strata*, dimensions no record leaves `all`, such as GLOTIP's reporting
  country). A cell belongs to the breakdown with the fewest dimensions that still splits all
  of its other non-`all` dimensions (its *owner*): GLOTIP's sex cells belong to the Total
  table, its sexual-exploitation x sex cells to the form table. A breakdown never computes, fills or checks a cell it does not
  own, so a published cell is never altered by another breakdown and a shortfall or excess
  stays in the breakdown where it arises. Each statistics row says its owner in `breakdown`
  (`all` for the base).
- **Published cells** are summed by key within a breakdown (sub-forms collapsed under one
  label are added). Identical repeated rows (content ids `h<digest>-<n>`, n >= 2) count once
  or twice according to which agrees with the published margins of that cell in its
  breakdown; where neither or both do, the cell is the range [once, twice] and is listed in
  `source_inconsistencies` (dimension `repeated_rows`).
- **Computed margins** meet the sum of their parts along every dimension that has parts in
  the owner's breakdown: exact where those sums agree; where they disagree (the countries'
  published totals against sums of their splits, say), the tightest range meeting every sum,
  with `value` null. A base cell (a world total) meets the sums of every breakdown.
- **Published margins** are reconciled with their parts, dimension by dimension: a shortfall
  is published under the dimension's unknown category (a new cell, or the range of a computed
  unknown cell widened to take it), as far as the published cells leave that cell room; an
  excess keeps the total and is listed; withheld parts (GLOTIP "<5", bounds [0, 4]) must
  contain the total within their bounds. An unknown cell the published cells determine is
  that value first (Netherlands 2016: 952 - 653 women - 154 men = 145 of unknown sex). A
  shortfall the unknown cell cannot take (the source published it, or it has no room) is
  listed too (negative excess): a published cell is never altered.
- Cells are processed from the finest up (by the number of `all` dimensions), so a margin is
  computed or reconciled only once its parts are final.
"""
