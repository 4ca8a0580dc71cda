"""Twilio webhooks: delivery status callbacks and inbound messages (STOP/START/HELP). Signatures checked.

A correctly signed request whose fields do not fit (no message id, an error code that is no number) is logged and
acknowledged: an error answer would only make Twilio send it again.
"""

import logging
import re

from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..phone import to_e164
from .sending import needs_price, record_inbound, record_status
from .sms import get_backend
from .tasks import fetch_sms_price_task

logger = logging.getLogger(__name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MESSAGE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")  # SmsMessage.provider_id: Twilio's SM..., our console-/locmem- ids
ERROR_CODE = re.compile(r"[0-9]{1,20}")  # SmsMessage.error_code


def _verified(request):
    return get_backend().validate_request(request)


@csrf_exempt
@require_POST
def sms_status(request):
    if not _verified(request):
        return HttpResponseForbidden("Invalid signature.", content_type="text/plain")
    message_id = request.POST.get("MessageSid", "")
    if not MESSAGE_ID.fullmatch(message_id):
        logger.warning("Ignored a signed SMS status callback without a usable MessageSid (%.80r)", message_id)
        return HttpResponse(status=204)
    error_code = request.POST.get("ErrorCode", "")
    if error_code and not ERROR_CODE.fullmatch(error_code):
        logger.warning("SMS status callback for %s with an unreadable ErrorCode %.40r", message_id, error_code)
        error_code = ""
    message = record_status(message_id, request.POST.get("MessageStatus", ""), error_code)
    if needs_price(message):
        _queue_price(message)
    return HttpResponse(status=204)


def _queue_price(message):
    try:
        fetch_sms_price_task(message.pk)
    except Exception:  # the price is a detail; a broker outage must not make Twilio redeliver the callback
        logger.warning("Could not queue the price fetch of SMS %s", message.pk, exc_info=True)


@csrf_exempt
@require_POST
def sms_inbound(request):
    if not _verified(request):
        return HttpResponseForbidden("Invalid signature.", content_type="text/plain")
    try:
        phone = to_e164(request.POST.get("From", ""))
    except ValueError:
        return HttpResponse(EMPTY_TWIML, content_type="text/xml")
    record_inbound(phone, request.POST.get("Body", ""), request.POST.get("OptOutType", ""))
    # Twilio's Advanced Opt-Out answers STOP/START/HELP itself; we only record the choice.
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
