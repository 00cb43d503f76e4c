' SEND WHATSAPP TEMPLATE TO to WITH name, language[, param...]: parameters are any values, turned to text.
ON WEBHOOK POST TO "/t" DO
  N = 1042
  SEND WHATSAPP TEMPLATE TO "447700900123" WITH "order_update", "pt_BR", "Ana", "#" & N, 2 + 1.5
  SEND WHATSAPP TEMPLATE TO "447700900123" WITH "hello_world", "en_US"
  SEND WHATSAPP TEMPLATE "447700900123", "hello_world", "en_US"
  PRINT "sent"
END ON
