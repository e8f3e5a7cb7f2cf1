"""The browser front end. For now: a static lesson reader written into the workspace."""
