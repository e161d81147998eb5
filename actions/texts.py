"""What the example's order actions say, in English and Chinese.

`text(tracker, key, **values)` picks the customer's language (the latest message's, as the
domain's `language: zh` response variations do) and fills the sentence; a language with no
sentence gets the English one.
"""
from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "processing": {
        "en": "Order {order_id} ({items}) was placed on {placed} and is being prepared in our "
              "warehouse; it hasn't shipped yet.",
        "zh": "订单 {order_id}（{items}）于 {placed} 下单，正在仓库备货，还没有发货。"},
    "shipped": {
        "en": "Order {order_id} ({items}) shipped on {shipped} with {carrier} and is expected on "
              "{estimated_delivery}.",
        "zh": "订单 {order_id}（{items}）已于 {shipped} 由 {carrier} 发出，预计 {estimated_delivery} 送达。"},
    "delivered": {
        "en": "Order {order_id} ({items}) was delivered on {delivered}.",
        "zh": "订单 {order_id}（{items}）已于 {delivered} 签收。"},
    "cancelled": {
        "en": "Order {order_id} was cancelled on {cancelled}.",
        "zh": "订单 {order_id} 已于 {cancelled} 取消。"},
    "other_status": {
        "en": "Order {order_id} has the status '{status}'.",
        "zh": "订单 {order_id} 的状态是“{status}”。"},
    "tracking": {
        "en": "Order {order_id} is with {carrier}, tracking number {tracking}, expected on "
              "{estimated_delivery}.",
        "zh": "订单 {order_id} 由 {carrier} 承运，运单号 {tracking}，预计 {estimated_delivery} 送达。"},
    "late": {
        "en": " That is {late} day{plural} past the estimate; if a parcel is more than 5 business "
              "days late, we open an investigation with the carrier (ask for an agent to start one).",
        "zh": "已比预计晚了 {late} 天；包裹晚到超过 5 个工作日时，我们会向承运商发起调查（转人工即可为您处理）。"},
    "can_cancel": {
        "en": "Order {order_id} hasn't left our warehouse yet, so it can still be cancelled free "
              "of charge. Ask for an agent and they'll cancel it for you.",
        "zh": "订单 {order_id} 还没有出库，可以免费取消。转人工后客服会为您取消。"},
    "cannot_cancel": {
        "en": " It can no longer be cancelled, but you can return it within 30 days of delivery.",
        "zh": "现在已无法取消，但您可以在签收后 30 天内退货。"},
    "need_number": {
        "en": "I need your order number to look that up. It's in your confirmation email and "
              "looks like 12345 or NW-12345.",
        "zh": "我需要您的订单号才能查询。订单号在订单确认邮件里，格式如 12345 或 NW-12345。"},
    "not_found": {
        "en": "I couldn't find an order with the number {order_id}. Could you check it? It's in "
              "your confirmation email and looks like 12345 or NW-12345.",
        "zh": "没有找到订单号为 {order_id} 的订单，麻烦核对一下？订单号在订单确认邮件里，格式如 12345 或 NW-12345。"},
    "private": {
        "en": "To keep order details private, I can only share them with the person who placed "
              "the order. Could you tell me the email address on order {order_id}?",
        "zh": "为保护您的隐私，订单详情只能告诉下单本人。请告诉我订单 {order_id} 使用的邮箱地址。"},
    "not_under": {
        "en": "Order {order_id} isn't under {email}. ",
        "zh": "订单 {order_id} 不在 {email} 名下。"},
    "which_order": {
        "en": "You have more than one open order. Which one do you mean?",
        "zh": "您有多个未完成的订单，请问是哪一个？"},
    "need_email": {
        "en": "I need the email address on order {order_id} to share its details, for example "
              "name@example.com.",
        "zh": "需要订单 {order_id} 使用的邮箱地址才能告诉您详情，例如 name@example.com。"},
    "email_mismatch": {
        "en": "That email doesn't match order {order_id}, so I can't share its details. Please "
              "check the email in your order confirmation, or ask for an agent.",
        "zh": "这个邮箱与订单 {order_id} 不匹配，所以无法告诉您订单详情。请核对订单确认邮件中的邮箱，或转人工客服。"},
    "too_many": {
        "en": "I can't look up any more orders in this chat: several order numbers or emails "
              "didn't match. I'm passing you to a member of our team, who can check your details.",
        "zh": "本次对话中已有多个订单号或邮箱不匹配，我无法再查询订单。我为您转接人工客服，由同事核实您的信息。"},
}


def language(tracker) -> str:
    return tracker.language or "en"


def text(lang: str, key: str, **values) -> str:
    sentences = TEXTS[key]
    return sentences.get(lang, sentences["en"]).format(**values)
