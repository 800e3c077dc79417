"""What the NGO incident log offers the organisations that submit it: the blank templates and
their documentation (`template`, `harmstats ngo template`) and the check of a filled-in file
(`check`, `harmstats ngo check FILE`). Reading and curating a submission is the source module's
job (`pipelines.sources.ngo_incidents`); its messages live beside it in
ngo_incidents_messages.yaml."""
