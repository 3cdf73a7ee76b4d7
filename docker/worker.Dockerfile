# The worker image of docker-compose.yml: the project, installed and built, running `tdmpc …` (default: a queue worker).
# Not exercised by this project's CI (Docker does not run there); see docs/experiments.md.
FROM node:20-bookworm
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund
ENTRYPOINT ["node", "bin/tdmpc.js"]
CMD ["worker", "--redis", "redis://redis:6379", "--checkpoint-dir", "/checkpoints"]
