import { run } from "probot";
import { loadDotEnv, readEnv } from "../config/env.js";
import { CriticOctokit } from "../github/octokit.js";
import { createCritic } from "../index.js";

// Wiring only. With no APP_ID, Probot serves its setup page to register the app from app.yml.
loadDotEnv();
const critic = createCritic(readEnv());
await run(critic.app, { Octokit: CriticOctokit });
