-- The web console's language, remembered per user (PATCH /account {"locale": ...}).
ALTER TABLE users ADD COLUMN locale text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'zh-CN'));
