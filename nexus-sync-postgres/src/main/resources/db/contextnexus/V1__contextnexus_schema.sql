-- The ContextNexus reference schema (shared/contract/schema.md). IF NOT EXISTS: an existing table
-- is adopted as it is; setup then adds whatever sync columns and triggers it lacks.
CREATE TABLE IF NOT EXISTS public.content_items (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     uuid        NOT NULL,
    project_id    uuid        NOT NULL,
    title         text        NOT NULL,
    body          text,
    content_type  text        NOT NULL DEFAULT 'document',
    metadata      jsonb       NOT NULL DEFAULT '{}',
    access_level  text        NOT NULL DEFAULT 'project' CHECK (access_level IN ('private', 'project', 'tenant', 'public')),
    view_count    bigint      NOT NULL DEFAULT 0,
    created_by    uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    neo4j_node_id text,
    pg_version    bigint      NOT NULL DEFAULT 1,
    neo4j_version bigint      NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS public.threads (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     uuid        NOT NULL,
    project_id    uuid        NOT NULL,
    title         text        NOT NULL,
    status        text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'archived')),
    created_by    uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    neo4j_node_id text,
    pg_version    bigint      NOT NULL DEFAULT 1,
    neo4j_version bigint      NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS public.messages (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    thread_id     uuid        NOT NULL REFERENCES public.threads (id) ON DELETE CASCADE,
    tenant_id     uuid        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
    body          text,
    token_count   integer,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    neo4j_node_id text,
    pg_version    bigint      NOT NULL DEFAULT 1,
    neo4j_version bigint      NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS messages_thread_id ON public.messages (thread_id);

CREATE TABLE IF NOT EXISTS public.tags (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     uuid        NOT NULL,
    name          text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    neo4j_node_id text,
    pg_version    bigint      NOT NULL DEFAULT 1,
    neo4j_version bigint      NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, name)
);

CREATE TABLE IF NOT EXISTS public.thread_content (
    thread_id       uuid             NOT NULL REFERENCES public.threads (id) ON DELETE CASCADE,
    content_id      uuid             NOT NULL REFERENCES public.content_items (id) ON DELETE CASCADE,
    relevance_score double precision NOT NULL DEFAULT 0,
    position        integer          NOT NULL,
    added_at        timestamptz      NOT NULL DEFAULT now(),
    pg_version      bigint           NOT NULL DEFAULT 1,
    PRIMARY KEY (thread_id, content_id)
);
CREATE INDEX IF NOT EXISTS thread_content_content_id ON public.thread_content (content_id);

CREATE TABLE IF NOT EXISTS public.content_tags (
    content_id  uuid        NOT NULL REFERENCES public.content_items (id) ON DELETE CASCADE,
    tag_id      uuid        NOT NULL REFERENCES public.tags (id) ON DELETE CASCADE,
    weight      real        NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    pg_version  bigint      NOT NULL DEFAULT 1,
    PRIMARY KEY (content_id, tag_id)
);
CREATE INDEX IF NOT EXISTS content_tags_tag_id ON public.content_tags (tag_id);
