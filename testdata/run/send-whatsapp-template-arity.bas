' A template needs at least a name and a language.
ON WEBHOOK POST TO "/t" DO
  SEND WHATSAPP TEMPLATE TO "447700900123" WITH "hello_world"
END ON
