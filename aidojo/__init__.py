"""AI Dojo (AI道場): a hands-on generative-AI training and hackathon kit for city staff."""

__version__ = "0.1.0"
