// The server's codes of the traffic, drone and device features (plates, violations, signals,
// traffic figures, drone paths, the device webhook), in
// words: errorText looks up "err_" + code in every module's dictionary.
import { dictionary } from "./core";

dictionary({
  en: {
    err_plates_disabled: "Plate data is not enabled on this server.",
    err_out_of_scope: "This is outside the scope of your account.",
    err_signals_unavailable: "No traffic-signal feed runs on this server.",
    err_traffic_unavailable: "Traffic figures are not enabled on this server.",
    err_violations_unavailable: "The violations desk is not available on this server.",
    err_drones_unavailable: "No drones fly on this site.",
    err_webhook_unavailable: "The device webhook is not configured on this server.",
    err_already_delivered: "This delivery has already gone through.",
    err_device_error: "The camera answered with an error.",
    err_import_invalid: "The camera file has errors: nothing was imported.",
    err_integrations_unavailable: "Integrations are not configured on this server.",
  },
  ru: {
    err_plates_disabled: "Данные о номерах на этом сервере не включены.",
    err_out_of_scope: "Это вне области доступа вашей учётной записи.",
    err_signals_unavailable: "На этом сервере нет потока сигналов светофоров.",
    err_traffic_unavailable: "Показатели движения на этом сервере не включены.",
    err_violations_unavailable: "Разбор нарушений на этом сервере недоступен.",
    err_drones_unavailable: "На этом объекте нет дронов.",
    err_webhook_unavailable: "Вебхук устройств на этом сервере не настроен.",
    err_already_delivered: "Эта доставка уже выполнена.",
    err_device_error: "Камера ответила ошибкой.",
    err_import_invalid: "В файле камер есть ошибки: ничего не импортировано.",
    err_integrations_unavailable: "Интеграции на этом сервере не настроены.",
  },
  kk: {
    err_plates_disabled: "Бұл серверде нөмір деректері қосылмаған.",
    err_out_of_scope: "Бұл есептік жазбаңыздың қолжетімділік аясынан тыс.",
    err_signals_unavailable: "Бұл серверде бағдаршам сигналдарының ағыны жоқ.",
    err_traffic_unavailable: "Бұл серверде қозғалыс көрсеткіштері қосылмаған.",
    err_violations_unavailable: "Бұл серверде бұзушылықтарды қарау қолжетімсіз.",
    err_drones_unavailable: "Бұл нысанда дрондар жоқ.",
    err_webhook_unavailable: "Бұл серверде құрылғылар вебхугы бапталмаған.",
    err_already_delivered: "Бұл жеткізу әлдеқашан орындалған.",
    err_device_error: "Камера қатемен жауап берді.",
    err_import_invalid: "Камералар файлында қателер бар: ештеңе импортталмады.",
    err_integrations_unavailable: "Бұл серверде интеграциялар бапталмаған.",
  },
});
