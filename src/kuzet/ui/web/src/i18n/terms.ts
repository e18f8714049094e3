// The platform's vocabulary: event types, incident states, priorities, camera states,
// roles, the demo city's agencies, camera categories and Almaty's districts. Data the
// dictionary does not know (a site's own rule or district) is shown as the site wrote it.
import type { Localised, Settings } from "../api";
import { dictionary, getLang, lookup } from "./core";

const en = {
  ev_zone_presence: "Presence in zone", ev_intrusion: "Intrusion", ev_loitering: "Loitering",
  ev_crowd: "Crowd", ev_line_crossing: "Line crossing", ev_stopped_vehicle: "Stopped vehicle",
  ev_wrong_way: "Wrong-way driving", ev_speeding: "Speeding", ev_abandoned_object: "Abandoned object",
  ev_object_removed: "Object removed", ev_illegal_dump: "Illegal dumping", ev_bin_overflow: "Overflowing bin",
  ev_fight: "Fight", ev_fire: "Fire", ev_smoke: "Smoke", ev_face_match: "Face match",
  ev_watchlist_hit: "Watch-list hit", ev_plate_read: "Plate read",
  ev_plate_unread: "Plate not read", ev_plate_match: "Plate watch-list hit",
  ev_vehicle_attributes: "Vehicle", ev_traffic_stats: "Traffic figures", ev_red_light: "Red light", ev_stop_line: "Stop line on red",
  ev_bus_lane: "Bus lane", ev_solid_line: "Solid line crossed",
  ev_illegal_stopping: "Illegal stopping", ev_average_speed: "Average speed", ev_fall: "Person fallen",
  s_new: "new", s_acknowledged: "acknowledged", s_assigned: "assigned", s_on_scene: "on scene",
  s_resolved: "resolved", s_false_alarm: "false alarm",
  p1: "high", p2: "medium", p3: "low",
  st_online: "online", st_starting: "starting", st_reconnecting: "reconnecting", st_failed: "failed",
  st_stopped: "stopped", st_finished: "finished", st_unknown: "unknown",
  role_operator: "operator", role_supervisor: "supervisor", role_investigator: "investigator",
  role_analyst: "analyst", role_administrator: "administrator", role_auditor: "auditor",
  role_integration: "integration",
  ag_situation_centre: "Akimat situation centre", ag_city_police: "City police department",
  ag_traffic_police: "Traffic police", ag_emergency: "Emergency service (DChS)",
  ag_education: "Education department", ag_health: "Health department",
  ag_utilities: "Utilities and housing", ag_transport: "Transport and roads",
  ag_ecology: "Ecology (Taza Kazakhstan)", ag_housing_yards: "Safe Yard programme",
  ag_national_guard: "National guard", ag_prosecutor: "Prosecutor's office (oversight)",
  cat_public_safety: "public safety", cat_traffic: "traffic", cat_school: "school",
  cat_kindergarten: "kindergarten", cat_safe_yard: "safe yard", cat_infrastructure: "infrastructure",
  cat_hospital: "hospital", cat_taza_kazakhstan: "Taza Kazakhstan",
  di_Almaly: "Almaly", di_Auezov: "Auezov", di_Bostandyk: "Bostandyk", di_Medeu: "Medeu",
  di_Alatau: "Alatau", di_Zhetysu: "Zhetysu", di_Turksib: "Turksib", di_Nauryzbay: "Nauryzbay",
  act_create: "created", act_acknowledge: "acknowledged", act_assign: "assigned",
  act_on_scene: "on scene", act_resolve: "resolved", act_false_alarm: "false alarm",
  act_note: "note", act_escalate: "escalated", act_grow: "new event", act_checklist: "checklist",
  act_check: "procedure item", actor_system: "system", zoomIn: "Zoom in", zoomOut: "Zoom out",
};

export const tt = dictionary({
  en,
  ru: {
    ev_zone_presence: "Присутствие в зоне", ev_intrusion: "Проникновение", ev_loitering: "Праздношатание",
    ev_crowd: "Скопление людей", ev_line_crossing: "Пересечение линии", ev_stopped_vehicle: "Остановка ТС",
    ev_wrong_way: "Движение по встречной", ev_speeding: "Превышение скорости", ev_abandoned_object: "Оставленный предмет",
    ev_object_removed: "Предмет унесён", ev_illegal_dump: "Несанкционированная свалка", ev_bin_overflow: "Переполненный контейнер",
    ev_fight: "Драка", ev_fire: "Пожар", ev_smoke: "Дым", ev_face_match: "Совпадение лица",
    ev_watchlist_hit: "Совпадение со списком", ev_plate_read: "Распознан номер",
    ev_plate_unread: "Номер не прочитан", ev_plate_match: "Номер в розыске",
    ev_vehicle_attributes: "Транспортное средство", ev_traffic_stats: "Показатели движения", ev_red_light: "Проезд на красный",
    ev_stop_line: "Стоп-линия на красный", ev_bus_lane: "Полоса для автобусов",
    ev_solid_line: "Пересечение сплошной", ev_illegal_stopping: "Остановка запрещена",
    ev_average_speed: "Средняя скорость", ev_fall: "Падение человека",
    s_new: "новый", s_acknowledged: "принят", s_assigned: "назначен", s_on_scene: "на месте",
    s_resolved: "решён", s_false_alarm: "ложная тревога",
    p1: "высокий", p2: "средний", p3: "низкий",
    st_online: "в сети", st_starting: "запуск", st_reconnecting: "переподключение", st_failed: "отказ",
    st_stopped: "остановлена", st_finished: "завершена", st_unknown: "неизвестно",
    role_operator: "оператор", role_supervisor: "старший смены", role_investigator: "следователь",
    role_analyst: "аналитик", role_administrator: "администратор", role_auditor: "аудитор",
    role_integration: "интеграция",
    ag_situation_centre: "Ситуационный центр акимата", ag_city_police: "Департамент полиции города",
    ag_traffic_police: "Дорожная полиция", ag_emergency: "ДЧС",
    ag_education: "Управление образования", ag_health: "Управление здравоохранения",
    ag_utilities: "ЖКХ", ag_transport: "Управление транспорта и дорог",
    ag_ecology: "Экология (Таза Қазақстан)", ag_housing_yards: "Программа «Безопасный двор»",
    ag_national_guard: "Национальная гвардия", ag_prosecutor: "Прокуратура (надзор)",
    cat_public_safety: "общественная безопасность", cat_traffic: "дорожное движение", cat_school: "школа",
    cat_kindergarten: "детский сад", cat_safe_yard: "безопасный двор", cat_infrastructure: "инфраструктура",
    cat_hospital: "больница", cat_taza_kazakhstan: "Таза Қазақстан",
    di_Almaly: "Алмалинский", di_Auezov: "Ауэзовский", di_Bostandyk: "Бостандыкский", di_Medeu: "Медеуский",
    di_Alatau: "Алатауский", di_Zhetysu: "Жетысуский", di_Turksib: "Турксибский", di_Nauryzbay: "Наурызбайский",
    act_create: "создан", act_acknowledge: "принят", act_assign: "назначен",
    act_on_scene: "на месте", act_resolve: "решён", act_false_alarm: "ложная тревога",
    act_note: "заметка", act_escalate: "эскалация", act_grow: "новое событие", act_checklist: "чек-лист",
    act_check: "пункт порядка действий", actor_system: "система", zoomIn: "Приблизить", zoomOut: "Отдалить",
  },
  kk: {
    ev_zone_presence: "Аймақта болу", ev_intrusion: "Заңсыз кіру", ev_loitering: "Мақсатсыз жүру",
    ev_crowd: "Адам жиналуы", ev_line_crossing: "Сызықты кесіп өту", ev_stopped_vehicle: "Көлік тоқтауы",
    ev_wrong_way: "Қарсы жолмен жүру", ev_speeding: "Жылдамдықты асыру", ev_abandoned_object: "Қалдырылған зат",
    ev_object_removed: "Зат алынды", ev_illegal_dump: "Заңсыз қоқыс", ev_bin_overflow: "Толған контейнер",
    ev_fight: "Төбелес", ev_fire: "Өрт", ev_smoke: "Түтін", ev_face_match: "Бет сәйкестігі",
    ev_watchlist_hit: "Тізіммен сәйкестік", ev_plate_read: "Нөмір танылды",
    ev_plate_unread: "Нөмір оқылмады", ev_plate_match: "Нөмір іздеуде",
    ev_vehicle_attributes: "Көлік", ev_traffic_stats: "Қозғалыс көрсеткіштері", ev_red_light: "Қызыл шамға өту",
    ev_stop_line: "Қызылда стоп-сызық", ev_bus_lane: "Автобус жолағы",
    ev_solid_line: "Тұтас сызықты кесу", ev_illegal_stopping: "Тоқтауға тыйым",
    ev_average_speed: "Орташа жылдамдық", ev_fall: "Адам құлады",
    s_new: "жаңа", s_acknowledged: "қабылданды", s_assigned: "тағайындалды", s_on_scene: "орнында",
    s_resolved: "шешілді", s_false_alarm: "жалған дабыл",
    p1: "жоғары", p2: "орташа", p3: "төмен",
    st_online: "желіде", st_starting: "іске қосылуда", st_reconnecting: "қайта қосылуда", st_failed: "ақау",
    st_stopped: "тоқтатылған", st_finished: "аяқталған", st_unknown: "белгісіз",
    role_operator: "оператор", role_supervisor: "ауысым аға қызметкері", role_investigator: "тергеуші",
    role_analyst: "талдаушы", role_administrator: "әкімші", role_auditor: "аудитор",
    role_integration: "интеграция",
    ag_situation_centre: "Әкімдіктің жағдайлық орталығы", ag_city_police: "Қалалық полиция департаменті",
    ag_traffic_police: "Жол полициясы", ag_emergency: "ТЖД",
    ag_education: "Білім басқармасы", ag_health: "Денсаулық сақтау басқармасы",
    ag_utilities: "ТКШ", ag_transport: "Көлік және жолдар басқармасы",
    ag_ecology: "Экология (Таза Қазақстан)", ag_housing_yards: "«Қауіпсіз аула» бағдарламасы",
    ag_national_guard: "Ұлттық ұлан", ag_prosecutor: "Прокуратура (қадағалау)",
    cat_public_safety: "қоғамдық қауіпсіздік", cat_traffic: "жол қозғалысы", cat_school: "мектеп",
    cat_kindergarten: "балабақша", cat_safe_yard: "қауіпсіз аула", cat_infrastructure: "инфрақұрылым",
    cat_hospital: "аурухана", cat_taza_kazakhstan: "Таза Қазақстан",
    di_Almaly: "Алмалы", di_Auezov: "Әуезов", di_Bostandyk: "Бостандық", di_Medeu: "Медеу",
    di_Alatau: "Алатау", di_Zhetysu: "Жетісу", di_Turksib: "Түрксіб", di_Nauryzbay: "Наурызбай",
    act_create: "құрылды", act_acknowledge: "қабылданды", act_assign: "тағайындалды",
    act_on_scene: "орнында", act_resolve: "шешілді", act_false_alarm: "жалған дабыл",
    act_note: "жазба", act_escalate: "эскалация", act_grow: "жаңа оқиға", act_checklist: "тексеру тізімі",
    act_check: "әрекет тәртібінің тармағы", actor_system: "жүйе", zoomIn: "Жақындату", zoomOut: "Алыстату",
  },
});

const key = (s: string): string => s.replace(/-/g, "_");
const tidy = (s: string): string => s.replace(/[_-]+/g, " ");
/** A site-supplied label in the current language (or its English, or any). */
export function localised(v: Localised | null | undefined, fallback = ""): string {
  if (v == null) return fallback;
  if (typeof v === "string") return v;
  return v[getLang()] ?? v.en ?? Object.values(v)[0] ?? fallback;
}
export const typeName = (type: string): string => lookup(`ev_${type}`) ?? tidy(type);
export const stateName = (s: string): string => lookup(`s_${s}`) ?? tidy(s);
export const priorityName = (p: number): string => lookup(`p${p}`) ?? String(p);
export const statusName = (s: string): string => lookup(`st_${s}`) ?? tidy(s);
export const roleName = (r: string): string => lookup(`role_${r}`) ?? tidy(r);
export const categoryName = (c: string | null): string => (c ? lookup(`cat_${c}`) ?? tidy(c) : "—");
export const districtName = (d: string | null): string => (d ? lookup(`di_${d}`) ?? d : "—");
export const actionName = (a: string): string => lookup(`act_${a}`) ?? tidy(a);
/** A timeline's actor: a person's user name as it is, the platform itself in words. */
export const actorName = (a: string): string => (a === "system" ? lookup("actor_system") ?? a : a);
export function agencyName(id: string | null, settings?: Settings): string {
  if (!id) return "—";
  return lookup(`ag_${key(id)}`) ?? settings?.agencies.find((a) => a.id === id)?.name ?? id;
}
export function ruleName(rule: string | null, settings?: Settings): string {
  if (!rule) return "—";
  const site = settings?.labels?.rules?.[rule];
  return site ? localised(site, rule) : lookup(`ev_${key(rule)}`) ?? tidy(rule);
}
