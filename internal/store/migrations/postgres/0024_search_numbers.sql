-- A search finds an item by its 索引号 or 文号 typed whole: both are looked
-- up exactly, within the school, beside the full-text match.
CREATE INDEX disclosures_index_no ON disclosures (school_id, index_no) WHERE index_no <> '';
CREATE INDEX disclosures_doc_number ON disclosures (school_id, doc_number) WHERE doc_number <> '';
