"""Text constants shared by filters and modifiers (NeMo Curator keeps them in the same place)."""

from __future__ import annotations

__all__ = ["POLICY_SUBSTRINGS"]

# NeMo Curator's list, kept whole: a paragraph containing any of these (lower-cased) is boilerplate.
POLICY_SUBSTRINGS: tuple[str, ...] = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "privacy overview",
    "use of cookies",
    "use cookies",
    "privacy & cookies policy",
    "privacy and cookies policy",
    "this website uses cookies to improve your experience while you navigate through the website. out of "
    "these cookies, the cookies that are categorized as necessary are stored on your browser as they are "
    "essential for the working of basic functionalities of the website. we also use third-party cookies "
    "that help us analyze and understand how you use this website. these cookies will be stored in your "
    "browser only with your consent. you also have the option to opt-out of these cookies. but opting out "
    "of some of these cookies may have an effect on your browsing experience.",
    "necessary cookies are absolutely essential for the website to function properly. this category only "
    "includes cookies that ensures basic functionalities and security features of the website. these "
    "cookies do not store any personal information.",
    "any cookies that may not be particularly necessary for the website to function and is used "
    "specifically to collect user personal data via analytics, ads, other embedded contents are termed "
    "as non-necessary cookies. it is mandatory to procure user consent prior to running these cookies on "
    "your website.",
    "this site uses cookies, including for analytics, personalization, and advertising purposes. for more "
    "information or to change your cookie settings, click here.",
    "if you continue to browse this site without changing your cookie settings, you agree to this use. acceptread more",
)
