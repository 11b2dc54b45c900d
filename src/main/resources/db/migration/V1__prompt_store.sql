-- The prompt store. Portable SQL: runs unchanged on H2 and PostgreSQL.
-- Times are epoch milliseconds (BIGINT): no time zone conversions differ between the two databases.

CREATE TABLE prompts (
    name        VARCHAR(200)  NOT NULL PRIMARY KEY,
    archived    BOOLEAN       NOT NULL,
    created     BIGINT        NOT NULL,
    -- Copies of the latest version's description and tags, so that search is one query.
    description VARCHAR(2000) NOT NULL,
    tags        VARCHAR(2000) NOT NULL
);

CREATE TABLE versions (
    prompt        VARCHAR(200) NOT NULL REFERENCES prompts (name),
    number        INTEGER      NOT NULL,
    -- The canonical file text (PromptFileWriter): readable, diffable, and re-parsed on read.
    -- VARCHAR, not TEXT/CLOB: both databases take it, and files are at most 1 MB (PromptFileParser).
    content       VARCHAR(1000000) NOT NULL,
    content_hash  VARCHAR(80)  NOT NULL,
    message       VARCHAR(2000) NOT NULL,
    created       BIGINT       NOT NULL,
    parent_number INTEGER      NOT NULL,
    -- The backstop against lost updates: two writers can never both create version N.
    CONSTRAINT versions_unique UNIQUE (prompt, number)
);

-- Labels point at versions; "latest" is not stored, it is the highest version number.
CREATE TABLE labels (
    prompt         VARCHAR(200) NOT NULL REFERENCES prompts (name),
    label          VARCHAR(100) NOT NULL,
    version_number INTEGER      NOT NULL,
    CONSTRAINT labels_unique UNIQUE (prompt, label)
);

CREATE TABLE personas (
    name         VARCHAR(200) NOT NULL PRIMARY KEY,
    content      VARCHAR(1000000) NOT NULL,
    content_hash VARCHAR(80)  NOT NULL,
    updated      BIGINT       NOT NULL
);
