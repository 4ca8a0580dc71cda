from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from wagtail_booking.blocks import BookingBlock


class ContentPage(Page):
    """A marketing page: an editor mixes text and booking blocks."""

    body = StreamField([
        ("heading", blocks.CharBlock(form_classname="title")),
        ("paragraph", blocks.RichTextBlock()),
        ("booking", BookingBlock()),
    ], blank=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
