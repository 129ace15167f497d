-- The port a build's image listens on when the image decides it (a Dockerfile's EXPOSE or ENV PORT);
-- null: the platform's default. Releases of the build run with it as PORT.
ALTER TABLE builds ADD COLUMN port integer CHECK (port BETWEEN 1 AND 65535);
