"""Reading a snapshot file at scale: streamed, bounded, into compact records.

`snapshot.io.load_snapshot` builds the pydantic models of the whole document, which is
right for writing, merging and diffing, and costs 10 GB at a million resources (the text,
the parser's document and the models coexist). This package reads the same file as a
stream instead (`reader.open_snapshot`): the decompressed size is bounded while it is read
(`source`), the big arrays are cut into batches without parsing them in Python (`scan`),
and each batch is decoded by msgspec into slotted records with the models' fields
(`records`), repeated strings shared. The snapshot JSON stays the contract: the records are
generated from the pydantic models, so a field added there is read here too.
"""
